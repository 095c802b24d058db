# R's answers on the committed inputs (tests/fixtures/stats/*.csv), written to tests/fixtures/r/.
#
# Run from the repository root:  Rscript tools/r/reference.R
# Needs R >= 4.1 with survey, survival, psych, lme4, lmerTest and jsonlite. The tests read the
# JSON files this writes; they never run R. Each block says which R function is the reference.

suppressPackageStartupMessages({
  library(jsonlite)
  library(survey)
  library(survival)
  library(psych)
  library(lme4)
  library(lmerTest)
})

input <- function(name) {
  read.csv(file.path("tests", "fixtures", "stats", paste0(name, ".csv")),
           stringsAsFactors = FALSE, check.names = FALSE, na.strings = "")
}
out_dir <- file.path("tests", "fixtures", "r")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
save <- function(x, name) {
  x$generated_by <- paste("tools/r/reference.R;", R.version.string, ";",
                          paste(sapply(c("survey", "survival", "psych", "lme4", "lmerTest"),
                                       function(p) paste(p, packageVersion(p))),
                                collapse = ", "))
  write_json(x, file.path(out_dir, paste0(name, ".json")), digits = NA, auto_unbox = TRUE,
             pretty = TRUE, na = "null")
}
na_to_null <- function(x) if (length(x) == 0 || is.na(x)) NA else x

# --- proportions ---------------------------------------------------------------------------------
attendance <- input("attendance_clusters")
cluster_row <- function(rows) {
  design <- suppressWarnings(svydesign(ids = ~participant, data = rows))
  ci <- svyciprop(~attended, design, method = "logit")
  list(clusters = length(unique(rows$participant)), trials = nrow(rows),
       successes = sum(rows$attended), rate = as.numeric(ci),
       ci_low = unname(attr(ci, "ci")[1]), ci_high = unname(attr(ci, "ci")[2]),
       degf = degf(design))
}
by_site <- lapply(split(attendance, attendance$site), cluster_row)
# svyby on the whole design treats each site as a domain of one sample: for the record only (the
# library gives each group its own design, like svyciprop on that group's rows).
design <- suppressWarnings(svydesign(ids = ~participant, data = attendance))
domains <- svyby(~attended, ~site, design, svyciprop, method = "logit", vartype = "ci")
wilson_cases <- list(c(0, 10), c(1, 10), c(8, 10), c(50, 100), c(99, 100), c(100, 100),
                     c(3, 7))
wilson <- lapply(wilson_cases, function(kn) {
  test <- suppressWarnings(prop.test(kn[1], kn[2], correct = FALSE))  # its interval is Wilson's score interval
  list(successes = kn[1], trials = kn[2], ci_low = test$conf.int[1], ci_high = test$conf.int[2])
})
save(list(
  cluster_overall = cluster_row(attendance),
  cluster_by_site = by_site,
  cluster_by_site_svyby_domains = lapply(seq_len(nrow(domains)), function(i) {
    list(site = domains$site[i], rate = domains$attended[i], ci_low = domains$ci_l[i],
         ci_high = domains$ci_u[i])
  }),
  wilson_prop_test = wilson), "proportions")

# --- paired change and the signed-rank test --------------------------------------------------------
paired <- input("paired_cases")
paired_case <- function(rows) {
  before <- rows$before
  after <- rows$after
  diff <- after - before
  t <- t.test(after, before, paired = TRUE)
  rounded <- round(diff, 9)
  nonzero <- rounded[rounded != 0]
  ties <- length(unique(abs(nonzero))) < length(nonzero)
  exact <- length(nonzero) <= 50 && !ties
  # evalkit's rule: zeros dropped, exact when n <= 50 without ties, else normal approximation
  # with tie correction and no continuity correction.
  w <- wilcox.test(nonzero, exact = exact, correct = FALSE)
  # R's own default on the unrounded pairs (exact only when n < 50, no ties and no zeros).
  r_default <- suppressWarnings(wilcox.test(after, before, paired = TRUE, correct = FALSE))
  list(n = length(diff), mean_before = mean(before), mean_after = mean(after),
       mean_change = mean(diff), t = unname(t$statistic), df = unname(t$parameter),
       p = t$p.value, ci_low = t$conf.int[1], ci_high = t$conf.int[2],
       d_z = mean(diff) / sd(diff), d_av = mean(diff) / ((sd(before) + sd(after)) / 2),
       wilcoxon_n_nonzero = length(nonzero), wilcoxon_v = unname(w$statistic),
       wilcoxon_p = w$p.value,
       wilcoxon_method = if (exact) "exact" else "normal approximation with tie correction",
       r_default_unrounded_v = unname(r_default$statistic),
       r_default_unrounded_p = r_default$p.value)
}
save(lapply(split(paired, paired$case), paired_case), "paired")

# --- reliability: Cronbach's alpha with Feldt's interval ------------------------------------------
items <- input("alpha_items")
complete <- items[complete.cases(items), ]
a <- psych::alpha(complete, warnings = FALSE)
feldt <- psych::alpha.ci(a$total$raw_alpha, nrow(complete), ncol(complete))
feldt90 <- psych::alpha.ci(a$total$raw_alpha, nrow(complete), ncol(complete), p.val = 0.10)
save(list(items = ncol(complete), n = nrow(complete), alpha = a$total$raw_alpha,
          ci_low = feldt$lower.ci, ci_high = feldt$upper.ci,
          ci_low_90 = feldt90$lower.ci, ci_high_90 = feldt90$upper.ci), "reliability")

# --- group comparisons ----------------------------------------------------------------------------
groups <- input("groups")
two_groups <- function(score, group) {
  group <- factor(group)  # alphabetical: the first level is the first group
  x <- score[group == levels(group)[1]]
  y <- score[group == levels(group)[2]]
  welch <- t.test(x, y, var.equal = FALSE)
  pooled <- sqrt(((length(x) - 1) * var(x) + (length(y) - 1) * var(y)) /
                   (length(x) + length(y) - 2))
  ties <- length(unique(c(x, y))) < length(c(x, y))
  exact <- length(x) < 50 && length(y) < 50 && !ties
  w <- wilcox.test(x, y, exact = exact, correct = TRUE)
  list(first = levels(group)[1], n = length(score), statistic = unname(welch$statistic),
       df1 = unname(welch$parameter), p = welch$p.value,
       hedges_g = (mean(x) - mean(y)) / pooled * (1 - 3 / (4 * (length(x) + length(y)) - 9)),
       rank_statistic = unname(w$statistic), rank_p = w$p.value, rank_exact = exact,
       rank_biserial = 2 * unname(w$statistic) / (length(x) * length(y)) - 1)
}
pair <- groups[!is.na(groups$pair), ]
tied <- groups[!is.na(groups$tied), ]
trio <- groups[!is.na(groups$trio), ]
welch_anova <- oneway.test(score ~ trio, data = trio, var.equal = FALSE)
kruskal <- kruskal.test(score ~ trio, data = trio)
ss_between <- sum(tapply(trio$score, trio$trio, function(v) length(v) * (mean(v) -
                                                                          mean(trio$score))^2))
save(list(
  pair = two_groups(pair$score, pair$pair),
  tied = two_groups(tied$tied, tied$pair),
  trio = list(n = nrow(trio), statistic = unname(welch_anova$statistic),
              df1 = unname(welch_anova$parameter[1]), df2 = unname(welch_anova$parameter[2]),
              p = welch_anova$p.value,
              eta_squared = ss_between / sum((trio$score - mean(trio$score))^2),
              rank_statistic = unname(kruskal$statistic), rank_p = kruskal$p.value,
              epsilon_squared = unname(kruskal$statistic) / (nrow(trio) - 1))), "groups")

# --- repeated-measures ANOVA and pairwise paired t tests ------------------------------------------
rm_reference <- function(long, within, levels) {
  long$level <- long[[within]]
  wide <- reshape(long[, c("subject", "level", "score")], idvar = "subject", timevar = "level",
                  direction = "wide")
  names(wide) <- sub("^score\\.", "", names(wide))
  wide <- wide[complete.cases(wide), c("subject", levels)]
  complete_long <- long[long$subject %in% wide$subject, ]
  complete_long$level <- factor(complete_long$level, levels = levels)
  complete_long$subject <- factor(complete_long$subject)
  fit_aov <- aov(score ~ level + Error(subject / level), data = complete_long)
  within_table <- summary(fit_aov)[["Error: subject:level"]][[1]]
  between_table <- summary(fit_aov)[["Error: subject"]][[1]]
  mlm <- lm(as.matrix(wide[, levels]) ~ 1)
  mauchly <- mauchly.test(mlm, X = ~1)
  spherical <- anova(mlm, X = ~1, test = "Spherical")
  epsilon <- stats:::sphericity(SSD(mlm), X = ~1)$GG.eps
  # Mauchly's p from Anderson's expansion written out with the dimension pp = k - 1 throughout;
  # R's mauchly.test.SSD uses ncol(SSD) = k in one term ("3 * p"), which matters from k = 4 on.
  pp <- length(levels) - 1
  n <- nrow(wide) - 1
  rho <- 1 - (2 * pp^2 + pp + 2) / (6 * pp * n)
  w2 <- (pp + 2) * (pp - 1) * (pp - 2) * (2 * pp^3 + 6 * pp^2 + 3 * pp + 2) /
    (288 * (n * pp * rho)^2)
  z <- -n * rho * log(unname(mauchly$statistic))
  f <- pp * (pp + 1) / 2 - 1
  textbook_p <- pchisq(z, f, lower.tail = FALSE) +
    w2 * (pchisq(z, f + 4, lower.tail = FALSE) - pchisq(z, f, lower.tail = FALSE))
  ss_level <- within_table[["Sum Sq"]][1]
  ss_error <- within_table[["Sum Sq"]][2]
  ss_subject <- between_table[["Sum Sq"]][1]
  pairs <- combn(levels, 2)
  pairwise <- lapply(seq_len(ncol(pairs)), function(j) {
    test <- t.test(wide[[pairs[2, j]]], wide[[pairs[1, j]]], paired = TRUE)
    list(a = pairs[1, j], b = pairs[2, j], n = nrow(wide), t = unname(test$statistic),
         df = unname(test$parameter), p = test$p.value)
  })
  holm <- p.adjust(sapply(pairwise, `[[`, "p"), method = "holm")
  for (j in seq_along(pairwise)) pairwise[[j]]$p_holm <- holm[j]
  list(anova = list(n = nrow(wide), f = within_table[["F value"]][1],
                    df1 = within_table[["Df"]][1], df2 = within_table[["Df"]][2],
                    p = within_table[["Pr(>F)"]][1], epsilon_gg = epsilon,
                    p_gg = spherical[["G-G Pr"]][1], mauchly_w = unname(mauchly$statistic),
                    mauchly_p = textbook_p, mauchly_p_r = mauchly$p.value,
                    ng2 = ss_level / (ss_level + ss_subject + ss_error)),
       pairwise = pairwise)
}
waves <- c("pre", "post", "follow_up")
save(list(waves = rm_reference(input("rm_waves"), "wave", waves),
          four = rm_reference(input("rm_four"), "time", c("t1", "t2", "t3", "t4"))), "anova")

# --- mixed models: lmerTest's Satterthwaite t tests, and likelihood-ratio tests on ML fits ---------
coefficients <- function(fit) {
  table <- summary(fit)$coefficients
  lapply(seq_len(nrow(table)), function(i) {
    list(term = rownames(table)[i], estimate = table[i, "Estimate"],
         se = table[i, "Std. Error"], df = table[i, "df"], t = table[i, "t value"],
         p = table[i, "Pr(>|t|)"],
         ci_low = table[i, "Estimate"] - qt(0.975, table[i, "df"]) * table[i, "Std. Error"],
         ci_high = table[i, "Estimate"] + qt(0.975, table[i, "df"]) * table[i, "Std. Error"])
  })
}
mixed <- function(name, formula, data) {
  fit <- lmer(formula, data = data, REML = TRUE)
  list(formula = deparse(formula), n_obs = nobs(fit), n_subjects = ngrps(fit)[["subject"]],
       singular = isSingular(fit), reml_criterion = unname(REMLcrit(fit)),
       subject_variance = as.data.frame(VarCorr(fit))$vcov[1],
       residual_variance = sigma(fit)^2, terms = coefficients(fit))
}
prepare <- function(data) {
  data$wave <- factor(data$wave, levels = waves)
  data
}
balanced <- prepare(input("mixed_balanced"))
unbalanced <- prepare(input("mixed_unbalanced"))
singular <- prepare(input("mixed_singular"))
# by = gender with min_group = 5: non_binary (3 subjects) is left out
five_or_more <- unbalanced[unbalanced$gender != "non_binary", ]
full_ml <- lmer(score ~ wave * gender + (1 | subject), data = five_or_more, REML = FALSE)
main_ml <- lmer(score ~ wave + gender + (1 | subject), data = five_or_more, REML = FALSE)
lrt <- anova(main_ml, full_ml)
save(list(
  balanced = mixed("balanced", score ~ wave + (1 | subject), balanced),
  unbalanced = mixed("unbalanced", score ~ wave + (1 | subject), unbalanced),
  unbalanced_by_gender = mixed("unbalanced_by_gender", score ~ wave * gender + (1 | subject),
                               five_or_more),
  singular = mixed("singular", score ~ wave + (1 | subject), singular),
  interaction_gender = list(n_subjects = length(unique(five_or_more$subject)),
                            left_out = length(unique(unbalanced$subject[
                              unbalanced$gender == "non_binary"])),
                            chi2 = lrt$Chisq[2], df = lrt$Df[2], p = lrt[["Pr(>Chisq)"]][2],
                            loglik_full = as.numeric(logLik(full_ml)),
                            loglik_main = as.numeric(logLik(main_ml)))), "models")

# --- regression with merged categories --------------------------------------------------------------
forms <- input("ols_forms")
forms <- forms[complete.cases(forms), ]
# The merges worked out by hand for min_cell = 5 (see make_inputs.R), written out independently of
# evalkit's algorithm.
forms$gender[forms$gender %in% c("non_binary", "prefer_not_to_say")] <- "other"
forms <- forms[!forms$role %in% c("manager", "partner_support"), ]
forms$experience_band[forms$experience_band %in% c("<1", "1-2")] <- "<1|1-2"
forms$experience_band[forms$experience_band %in% c("6-10", "10+")] <- "6-10|10+"
forms$supervision_frequency[forms$supervision_frequency %in% c("less_than_monthly", "none")] <-
  "less_than_monthly|none"
# Most frequent category after the merges (ties alphabetical): woman 50; case_manager (30, tied
# with facilitator and supervisor); 6-10|10+ 43; fortnightly 30.
references <- c(gender = "woman", role = "case_manager", experience_band = "6-10|10+",
                supervision_frequency = "fortnightly")
for (factor_name in names(references)) {
  forms[[factor_name]] <- relevel(factor(forms[[factor_name]]), references[[factor_name]])
}
fit <- lm(total ~ gender + role + experience_band + supervision_frequency + sessions, data = forms)
s <- summary(fit)
ci <- confint(fit)
table <- s$coefficients
save(list(
  n_model = nrow(forms), r2 = s$r.squared, adj_r2 = s$adj.r.squared,
  f = unname(s$fstatistic[1]), f_df1 = unname(s$fstatistic[2]), f_df2 = unname(s$fstatistic[3]),
  f_p = unname(pf(s$fstatistic[1], s$fstatistic[2], s$fstatistic[3], lower.tail = FALSE)),
  level_sizes = lapply(names(references), function(f) as.list(table(forms[[f]]))),
  terms = lapply(seq_len(nrow(table)), function(i) {
    list(term = rownames(table)[i], estimate = table[i, 1], se = table[i, 2], t = table[i, 3],
         p = table[i, 4], ci_low = ci[i, 1], ci_high = ci[i, 2])
  })), "ols")

# --- Kaplan-Meier (log-log band) and the log-rank test ----------------------------------------------
km_table <- function(time, event) {
  fit <- survfit(Surv(time, event) ~ 1, conf.type = "log-log")
  s <- summary(fit)  # rows at event times only
  lapply(seq_along(s$time), function(i) {
    list(time = s$time[i], at_risk = s$n.risk[i], events = s$n.event[i], survival = s$surv[i],
         ci_low = na_to_null(s$lower[i]), ci_high = na_to_null(s$upper[i]))
  })
}
logrank <- function(data) {
  test <- survdiff(Surv(time, event) ~ group, data = data)
  list(groups = length(test$n), chi2 = test$chisq, df = length(test$n) - 1,
       p = pchisq(test$chisq, length(test$n) - 1, lower.tail = FALSE))
}
sixmp <- input("sixmp")
retention <- input("retention_groups")
treated <- sixmp[sixmp$group == "6-MP", ]
placebo <- sixmp[sixmp$group == "placebo", ]
km90 <- summary(survfit(Surv(time, event) ~ 1, data = treated, conf.type = "log-log",
                        conf.int = 0.90))
save(list(
  km_6mp = km_table(treated$time, treated$event),
  km_6mp_90 = lapply(seq_along(km90$time), function(i) {
    list(time = km90$time[i], ci_low = km90$lower[i], ci_high = km90$upper[i])
  }),
  km_placebo = km_table(placebo$time, placebo$event),
  km_retention_b = with(retention[retention$group == "b", ], km_table(time, event)),
  logrank_6mp = logrank(sixmp),
  logrank_retention = logrank(retention)), "survival")

# --- correlations ------------------------------------------------------------------------------------
scores <- input("correlation_scores")
columns <- names(scores)
total_of <- c(stss_intrusion = "stss_total", stss_avoidance = "stss_total",
              stss_arousal = "stss_total")
correlation_rows <- function(method) {
  rows <- list()
  for (i in seq_along(columns)) for (j in seq_along(columns)) {
    if (j <= i) next
    x <- columns[i]
    y <- columns[j]
    if (identical(unname(total_of[x]), y) || identical(unname(total_of[y]), x)) next
    pair <- scores[complete.cases(scores[, c(x, y)]), c(x, y)]
    n <- nrow(pair)
    if (method == "pearson") {
      test <- cor.test(pair[[x]], pair[[y]], method = "pearson")
      low <- test$conf.int[1]
      high <- test$conf.int[2]
    } else {
      test <- suppressWarnings(cor.test(pair[[x]], pair[[y]], method = "spearman",
                                        exact = FALSE))
      half <- qnorm(0.975) / sqrt(n - 3)  # Fisher's z interval, as for Pearson
      low <- tanh(atanh(test$estimate) - half)
      high <- tanh(atanh(test$estimate) + half)
    }
    kendall <- suppressWarnings(cor.test(pair[[x]], pair[[y]], method = "kendall",
                                         exact = FALSE))
    rows[[length(rows) + 1]] <- list(x = x, y = y, n = n, r = unname(test$estimate),
                                     ci_low = unname(low), ci_high = unname(high),
                                     p = test$p.value, kendall_tau = unname(kendall$estimate))
  }
  holm <- p.adjust(sapply(rows, `[[`, "p"), method = "holm")
  for (k in seq_along(rows)) rows[[k]]$p_holm <- holm[k]
  rows
}
save(list(pearson = correlation_rows("pearson"), spearman = correlation_rows("spearman")),
     "correlation")
