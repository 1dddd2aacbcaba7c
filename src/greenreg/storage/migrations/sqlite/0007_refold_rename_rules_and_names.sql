-- depends: 0006_read_model_digests
-- The read models fold two things differently from this release on: the rules a rename or a
-- reorganisation was judged under (rm_history.rules) are named in the order of their rulebooks,
-- where the rows an earlier release folded name them in an order that depended on how the
-- read models were folded (a rebuild, or batch by batch); and a name superseded by a rename on
-- the day it took effect stays a former name (rm_name_intervals, rm_search.matched). The read
-- models are dropped here, with the digests committed of them; 'greenreg migrate' then folds the
-- whole log into them anew (any command that opens the store would too).
DROP TABLE IF EXISTS rm_units;
DROP TABLE IF EXISTS rm_designations;
DROP TABLE IF EXISTS rm_status_intervals;
DROP TABLE IF EXISTS rm_name_intervals;
DROP TABLE IF EXISTS rm_bans;
DROP TABLE IF EXISTS rm_history;
DROP TABLE IF EXISTS rm_links;
DROP TABLE IF EXISTS rm_reports;
DROP TABLE IF EXISTS rm_flags;
DROP TABLE IF EXISTS rm_creations;
DROP TABLE IF EXISTS rm_evaluators;
DROP TABLE IF EXISTS rm_evaluator_sanctions;
DROP TABLE IF EXISTS rm_evaluations;
DROP TABLE IF EXISTS rm_identifiers;
DROP TABLE IF EXISTS rm_incidents;
DROP TABLE IF EXISTS rm_rules;
DROP TABLE IF EXISTS rm_authorities;
DROP TABLE IF EXISTS rm_search;
DROP TABLE IF EXISTS rm_tracking;
DROP TABLE IF EXISTS rm_search_fts;
DELETE FROM greenreg_read_model_digests;
