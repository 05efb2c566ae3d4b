"""Celery workers for MediaOps: a job per recording, each pipeline stage a task (see README, "Deployment").

config (settings from the environment), celery_app (broker, queues, delivery guarantees), canvas (a job as a
Celery canvas), tasks (one thin task per stage), execution (job state, progress, retries around a stage),
state (job tables), jobs (submit/get/list/cancel/rerun for the web app and the CLI), embedded and worker
(starting workers), batch and watch (submitting recordings by the side-file convention), cli_commands.
"""
