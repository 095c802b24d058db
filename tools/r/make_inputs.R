# Small, committed input data sets for the statistics tests (tests/fixtures/stats/*.csv).
#
# Run from the repository root:  Rscript tools/r/make_inputs.R
# The files are committed; rerunning rewrites them identically (fixed seeds, R >= 3.6 sampling).
# reference.R then computes R's answers on them into tests/fixtures/r/.

out_dir <- file.path("tests", "fixtures", "stats")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# Doubles are written with 17 significant digits where 15 do not give back the very same number
# (write.csv keeps only 15, which would hide the floating-point noise some cases are about).
write_input <- function(data, name) {
  for (column in names(data)) {
    if (is.double(data[[column]])) {
      values <- data[[column]]
      short <- sprintf("%.15g", values)
      same <- suppressWarnings(as.numeric(short)) == values
      exact <- ifelse(same, short, sprintf("%.17g", values))
      data[[column]] <- ifelse(is.na(values), "", exact)
    }
  }
  write.csv(data, file.path(out_dir, paste0(name, ".csv")), row.names = FALSE, na = "",
            quote = FALSE)
}

# --- attendance in people: one row per participant-session (clusters = participants) ----------
set.seed(101)
sites <- c(north = 25, south = 18, east = 12, west = 4)
rows <- list()
k <- 0
for (site in names(sites)) {
  for (i in seq_len(sites[[site]])) {
    k <- k + 1
    held <- sample(4:20, 1)
    propensity <- rbeta(1, 2.5, 1.2)
    rows[[k]] <- data.frame(participant = sprintf("p%03d", k), site = site,
                            attended = rbinom(held, 1, propensity))
  }
}
write_input(do.call(rbind, rows), "attendance_clusters")

# --- paired cases: before/after per subject, one block per case ---------------------------------
set.seed(202)
darwin <- c(6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75)  # Fisher (1935)
# Mean scores of six items: after - before carries floating-point noise, so equal changes differ
# in the last bits (the reason differences are rounded to 1e-9 before ranking).
items_before <- sample(6:30, 24, replace = TRUE)
items_after <- pmin(pmax(items_before + sample(-4:3, 24, replace = TRUE), 6), 30)
likert <- sample(1:5, 30, replace = TRUE)
likert_after <- pmin(pmax(likert + sample(c(-2, -1, -1, 0, 0, 1), 30, replace = TRUE), 1), 5)
exact_before <- round(rnorm(10, 30, 5))
exact_after <- exact_before + c(0, 0, 3, -1, 7, 12, -5, 9, 2, 15)
# 50 and 60 pairs whose changes all differ in size (no ties): exact p at 50, normal beyond.
n50_before <- round(rnorm(50, 3, 0.8), 2)
n50_after <- n50_before + sample(c(-1, -1, 1), 50, replace = TRUE) * sample(1:150, 50) / 100
n60_before <- round(rnorm(60, 3, 0.8), 2)
n60_after <- n60_before + sample(c(-1, 1, 1), 60, replace = TRUE) * sample(1:150, 60) / 100
paired <- rbind(
  data.frame(case = "darwin", subject = seq_along(darwin), before = 0, after = darwin),
  data.frame(case = "float_ties", subject = 1:24, before = items_before / 6,
             after = items_after / 6),
  data.frame(case = "likert_zeros", subject = 1:30, before = as.double(likert),
             after = as.double(likert_after)),
  data.frame(case = "exact_after_zeros", subject = 1:10, before = exact_before,
             after = exact_after),
  data.frame(case = "n50", subject = 1:50, before = n50_before, after = n50_after),
  data.frame(case = "n60", subject = 1:60, before = n60_before, after = n60_after))
write_input(paired, "paired_cases")

# --- items of one scale (Likert 1-5), a few unanswered ------------------------------------------
set.seed(303)
trait <- rnorm(60)
items <- as.data.frame(sapply(1:6, function(k) pmin(pmax(round(3 + trait + rnorm(60)), 1), 5)))
names(items) <- sprintf("i%d", 1:6)
items[cbind(c(4, 17, 33), c(3, 1, 6))] <- NA
items[] <- lapply(items, as.integer)
write_input(items, "alpha_items")

# --- scores in groups ---------------------------------------------------------------------------
set.seed(404)
two <- c(round(rnorm(14, 40, 8), 2), round(rnorm(9, 34, 12), 2))
three <- c(round(rnorm(8, 30, 5), 2), round(rnorm(11, 36, 9), 2), round(rnorm(6, 33, 4), 2))
groups <- data.frame(
  score = c(two, three),
  # "woman" comes first in the rows but second in category (alphabetical) order
  pair = c(rep(c("woman", "man"), c(14, 9)), rep(NA, 25)),
  trio = c(rep(NA, 23), rep(c("x", "y", "z"), c(8, 11, 6))),
  tied = c(sample(1:6, 23, replace = TRUE), rep(NA, 25)))
write_input(groups, "groups")

# --- three waves in long form: 24 complete subjects, 6 with a wave missing -----------------------
set.seed(505)
subjects <- sprintf("s%02d", 1:30)
person <- rnorm(30, 0, 0.7)
rm_rows <- list()
for (i in 1:30) {
  # Spread grows over the waves so that sphericity is doubtful and the correction matters.
  values <- 3.2 + c(0, -0.45, -0.3) + person[i] + rnorm(3, 0, c(0.2, 0.5, 0.9))
  keep <- if (i > 24) c(TRUE, i %% 2 == 0, i %% 2 == 1) else rep(TRUE, 3)
  rm_rows[[i]] <- data.frame(subject = subjects[i], wave = c("pre", "post", "follow_up"),
                             score = round(values, 3))[keep, ]
}
write_input(do.call(rbind, rm_rows), "rm_waves")
# Four time points, complete: Mauchly's test then has a second-order term.
set.seed(506)
four <- do.call(rbind, lapply(1:20, function(i) {
  data.frame(subject = sprintf("f%02d", i), time = c("t1", "t2", "t3", "t4"),
             score = round(10 + c(0, -1, -1.5, -1.2) + rnorm(1, 0, 2) +
                             rnorm(4, 0, c(0.5, 1, 1.5, 2.5)), 2))
}))
write_input(four, "rm_four")

# --- mixed models: balanced, and unbalanced with a grouping factor --------------------------------
set.seed(606)
balanced <- do.call(rbind, lapply(1:30, function(i) {
  data.frame(subject = sprintf("b%02d", i), wave = c("pre", "post", "follow_up"),
             score = round(3.1 + c(0, -0.5, -0.25) + rnorm(1, 0, 0.6) + rnorm(3, 0, 0.45), 3))
}))
write_input(balanced, "mixed_balanced")
set.seed(607)
gender <- rep(c("woman", "man", "non_binary"), c(22, 15, 3))[sample(40)]
unbalanced <- do.call(rbind, lapply(1:40, function(i) {
  shift <- if (gender[i] == "man") c(0, -0.2, -0.1) else c(0, -0.6, -0.35)
  rows <- data.frame(subject = sprintf("u%02d", i), wave = c("pre", "post", "follow_up"),
                     score = round(3.0 + shift + rnorm(1, 0, 0.5) + rnorm(3, 0, 0.5), 3),
                     gender = gender[i])
  rows[runif(3) < c(0.95, 0.8, 0.65), ]
}))
write_input(unbalanced, "mixed_unbalanced")
# Between-subject variance so small that the REML estimate is 0 (a boundary, "singular" fit).
set.seed(608)
singular <- do.call(rbind, lapply(1:12, function(i) {
  data.frame(subject = sprintf("z%02d", i), wave = c("pre", "post", "follow_up"),
             score = round(3 + c(0, -0.3, -0.2) + rnorm(3, 0, 0.6), 3))
}))
write_input(singular, "mixed_singular")

# --- regression forms: categories sized to exercise every merging rule (min_cell = 5) -------------
# Rows 1-90 are complete forms, 91-93 are the three people in small roles, 94-95 lack the outcome.
# gender (unordered): non_binary 4 and prefer_not_to_say 2 merge into other (6, kept).
# role (unordered): manager 2 and partner_support 1 make other = 3 < 5: those 3 rows are dropped;
#   case_manager, facilitator and supervisor then tie at 30: the reference is case_manager
#   (alphabetical).
# experience_band (ordered): 1-2 (3) merges with its smaller neighbour <1 (6), not with 3-5 (38);
#   10+ has 5 until row 91 is dropped with its role, then 4: it merges with 6-10 (the merging must
#   be repeated after rows are dropped).
# supervision_frequency (ordered): none (4) merges with its only neighbour less_than_monthly (7).
set.seed(709)
ols <- data.frame(
  gender = c(sample(rep(c("woman", "man", "non_binary", "prefer_not_to_say"), c(50, 34, 4, 2))),
             rep("man", 5)),
  role = c(sample(rep(c("facilitator", "case_manager", "supervisor"), 30)),
           "manager", "manager", "partner_support", "facilitator", "supervisor"),
  experience_band = c(sample(rep(c("<1", "1-2", "3-5", "6-10", "10+"), c(6, 3, 38, 39, 4))),
                      "10+", "3-5", "3-5", "1-2", "10+"),
  supervision_frequency = c(sample(rep(c("weekly", "fortnightly", "monthly", "less_than_monthly",
                                         "none"), c(20, 30, 29, 7, 4))),
                            rep("monthly", 3), "none", "weekly"),
  sessions = round(runif(95, 0, 3), 2))
ols$total <- round(35 + 4 * (ols$gender == "woman") - 2.5 * ols$sessions +
                     3 * (ols$role == "supervisor") + rnorm(95, 0, 6), 1)
ols$total[94:95] <- NA  # incomplete forms leave before anything is counted
write_input(ols, "ols_forms")

# --- time to an event ------------------------------------------------------------------------------
# Freireich et al. (1963) 6-MP remission times (weeks) as tabulated by Kleinbaum & Klein (2012).
sixmp <- data.frame(
  time = c(6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35,
           1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23),
  event = c(1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, rep(1, 21)),
  group = rep(c("6-MP", "placebo"), each = 21))
write_input(sixmp, "sixmp")
set.seed(808)
three <- data.frame(group = rep(c("a", "b", "c"), c(30, 24, 9)))
three$time <- pmin(ceiling(rexp(63, c(a = 1 / 14, b = 1 / 9, c = 1 / 20)[three$group])), 26)
three$event <- as.integer(three$time < 26 & runif(63) < 0.8)
write_input(three[, c("time", "event", "group")], "retention_groups")

# --- scale scores for correlations ------------------------------------------------------------------
set.seed(909)
m <- 45
stress <- rnorm(m)
correlation <- data.frame(
  stss_intrusion = pmin(pmax(round(12 + 3 * stress + rnorm(m, 0, 2)), 5), 25),
  stss_avoidance = pmin(pmax(round(16 + 4 * stress + rnorm(m, 0, 3)), 7), 35),
  stss_arousal = pmin(pmax(round(12 + 2 * stress + rnorm(m, 0, 3)), 5), 25))
correlation$stss_total <- with(correlation, stss_intrusion + stss_avoidance + stss_arousal)
correlation$burnout <- round(24 + 3 * stress + rnorm(m, 0, 4))
correlation$compassion_satisfaction <- round(38 - 2 * stress + rnorm(m, 0, 5))
correlation$stss_arousal[c(3, 19)] <- NA
correlation$stss_total[c(3, 19)] <- NA
correlation$burnout[c(8, 30, 41)] <- NA
correlation[] <- lapply(correlation, as.integer)
write_input(correlation, "correlation_scores")
