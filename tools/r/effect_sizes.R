# Effect-size intervals and sample-size planning in base R only (no CRAN package needed):
# noncentral t and F intervals by uniroot over pt(ncp =) and pf(ncp =), power.t.test, and the
# noncentral-F power of a one-way repeated-measures design. Writes
# tests/fixtures/r/effect_sizes.json and tests/fixtures/r/power.json.
#
# Run from the repository root:  Rscript tools/r/effect_sizes.R
# R's effectsize and MBESS packages compute the same intervals; they are not on every system,
# so the formulas are written out here once, independently of evalkit's Python code.

input <- function(name) {
  read.csv(file.path("tests", "fixtures", "stats", paste0(name, ".csv")),
           stringsAsFactors = FALSE, check.names = FALSE, na.strings = "")
}
num <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)
json <- function(x, indent = "  ") {
  # a named list of named lists of numbers or strings, written by hand (no jsonlite)
  items <- mapply(function(key, value) {
    if (is.list(value)) {
      inner <- json(value, paste0(indent, "  "))
      sprintf('%s"%s": %s', indent, key, inner)
    } else if (is.character(value)) {
      sprintf('%s"%s": "%s"', indent, key, value)
    } else {
      sprintf('%s"%s": %s', indent, key, num(value))
    }
  }, names(x), x, USE.NAMES = FALSE)
  paste0("{\n", paste(items, collapse = ",\n"), "\n", substring(indent, 3), "}")
}
stamp <- paste("tools/r/effect_sizes.R;", R.version.string)
save <- function(x, name) {
  x$generated_by <- stamp
  writeLines(json(x), file.path("tests", "fixtures", "r", paste0(name, ".json")))
}

# Noncentrality parameters whose t (or F) distribution puts the observed statistic at the
# upper and lower 2.5% points (Steiger and Fouladi, 1997; Cumming, 2012).
ncp_t <- function(t, df, level = 0.95) {
  tail <- (1 - level) / 2
  f <- function(ncp, p) pt(t, df, ncp) - p
  width <- 10 + abs(t) * 4
  c(uniroot(f, c(t - width, t + width), p = 1 - tail, tol = 1e-13)$root,
    uniroot(f, c(t - width, t + width), p = tail, tol = 1e-13)$root)
}
ncp_f <- function(f, df1, df2, level = 0.95) {
  tail <- (1 - level) / 2
  g <- function(ncp, p) pf(f, df1, df2, ncp) - p
  bound <- function(p) if (pf(f, df1, df2, 0) < p) 0 else
    uniroot(g, c(0, 10 * f * df1 + 100), p = p, tol = 1e-13)$root
  c(bound(1 - tail), bound(tail))
}

# --- paired: d_z and d_av ------------------------------------------------------------------------
paired <- input("paired_cases")
paired_case <- function(rows) {
  d <- rows$after - rows$before
  n <- length(d)
  t <- mean(d) / (sd(d) / sqrt(n))
  ci_z <- ncp_t(t, n - 1) / sqrt(n)
  sd_av <- (sd(rows$before) + sd(rows$after)) / 2
  list(n = n, t = t, d_z = mean(d) / sd(d), d_z_ci_low = ci_z[1], d_z_ci_high = ci_z[2],
       d_av = mean(d) / sd_av, d_av_ci_low = ci_z[1] * sd(d) / sd_av,
       d_av_ci_high = ci_z[2] * sd(d) / sd_av)
}
cases <- lapply(split(paired, paired$case), paired_case)

# --- two groups: Hedges' g and the rank-biserial correlation -------------------------------------
groups <- input("groups")
two_groups <- function(score, group) {
  group <- factor(group)
  a <- score[group == levels(group)[1]]
  b <- score[group == levels(group)[2]]
  n1 <- length(a); n2 <- length(b)
  pooled <- sqrt(((n1 - 1) * var(a) + (n2 - 1) * var(b)) / (n1 + n2 - 2))
  d <- (mean(a) - mean(b)) / pooled
  j <- 1 - 3 / (4 * (n1 + n2) - 9)
  scale <- sqrt(1 / n1 + 1 / n2)
  ci_d <- ncp_t(d / scale, n1 + n2 - 2) * scale
  u <- unname(suppressWarnings(wilcox.test(a, b))$statistic)
  r <- 2 * u / (n1 * n2) - 1
  se <- sqrt((n1 + n2 + 1) / (3 * n1 * n2))
  z <- qnorm(0.975)
  list(first = levels(group)[1], hedges_g = d * j, hedges_g_ci_low = ci_d[1] * j,
       hedges_g_ci_high = ci_d[2] * j, rank_biserial = r,
       rank_biserial_ci_low = tanh(atanh(r) - z * se),
       rank_biserial_ci_high = tanh(atanh(r) + z * se))
}
pair <- groups[!is.na(groups$pair), ]
tied <- groups[!is.na(groups$tied), ]
trio <- groups[!is.na(groups$trio), ]

# --- three groups: eta squared (noncentral F on the classical one-way F) -------------------------
fit <- summary(aov(score ~ factor(trio), data = trio))[[1]]
ss <- fit[["Sum Sq"]]
df1 <- fit$Df[1]; df2 <- fit$Df[2]
f <- fit[["F value"]][1]
lambda <- ncp_f(f, df1, df2)
save(c(cases, list(
  pair = two_groups(pair$score, pair$pair),
  tied = two_groups(tied$tied, tied$pair),
  trio = list(eta_squared = ss[1] / sum(ss), f = f, df1 = df1, df2 = df2,
              eta_squared_ci_low = lambda[1] / (lambda[1] + df1 + df2 + 1),
              eta_squared_ci_high = lambda[2] / (lambda[2] + df1 + df2 + 1)))), "effect_sizes")

# --- sample-size planning ------------------------------------------------------------------------
# power.t.test(strict = TRUE) counts both rejection regions, as pingouin's power_ttest does.
paired_power <- power.t.test(n = 20, delta = 0.5, sd = 1, type = "paired", strict = TRUE)
paired_n <- power.t.test(power = 0.8, delta = 0.5, sd = 1, type = "paired", strict = TRUE)
two_power <- power.t.test(n = 30, delta = 0.6, sd = 1, type = "two.sample", strict = TRUE)
two_n <- power.t.test(power = 0.9, delta = 0.6, sd = 1, type = "two.sample", strict = TRUE)
# One-way repeated measures, m levels, n subjects, correlation rho between levels, f^2 =
# eta^2 / (1 - eta^2): lambda = f^2 * n * m / (1 - rho), F on (m - 1, (n - 1)(m - 1)) df
rm_power <- function(eta2, m, n, rho) {
  lambda <- eta2 / (1 - eta2) * n * m / (1 - rho)
  df1 <- m - 1; df2 <- (n - 1) * (m - 1)
  pf(qf(0.95, df1, df2), df1, df2, ncp = lambda, lower.tail = FALSE)
}
rm_n <- uniroot(function(n) rm_power(0.06, 3, n, 0.5) - 0.8, c(3, 1000), tol = 1e-12)$root
save(list(
  paired = list(n = 20, d = 0.5, power = paired_power$power, n_for_80 = paired_n$n),
  two_sample = list(n = 30, d = 0.6, power = two_power$power, n_for_90 = two_n$n),
  rm_anova = list(eta_squared = 0.06, m = 3, n = 25, corr = 0.5,
                  power = rm_power(0.06, 3, 25, 0.5), n_for_80 = rm_n)), "power")
