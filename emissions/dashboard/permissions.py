"""The permissions the dashboard's views check, named once (roles/definitions.py grants them)."""

VIEW_RECORDS = "activities.view_activityrecord"
ADD_RECORDS = "activities.add_activityrecord"
CHANGE_RECORDS = "activities.change_activityrecord"
DELETE_RECORDS = "activities.delete_activityrecord"
APPROVE_RECORDS = "activities.approve_activityrecord"
VIEW_FACILITIES = "facilities.view_facility"
LOCK_YEARS = "facilities.lock_reporting_year"
UNLOCK_YEARS = "facilities.unlock_reporting_year"
VIEW_TARGETS = "neutrality.view_target"
VIEW_CREDITS = "offsets.view_creditbatch"
RETIRE_CREDITS = "offsets.add_retirement"
ADD_EVIDENCE = "evidence.add_evidencefile"
DELETE_EVIDENCE = "evidence.delete_evidencefile"
VIEW_RESTATEMENTS = "neutrality.view_restatement"
APPLY_RESTATEMENTS = "neutrality.apply_restatement"
# Loading a factor dataset adds factors to the library: an administrator's change.
LOAD_FACTORS = ("factors.add_factordataset", "factors.add_emissionfactor")
