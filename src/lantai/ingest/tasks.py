"""Background jobs of online archiving: finishing a registered submission's pipeline.

Large submissions (over ``LANTAI_INGEST_SYNC_MAX_BYTES``, or when the sender asks with
``?background=true``) are answered 202 as soon as they are registered; this job then runs
the remaining steps. It is idempotent (``pipeline.run`` skips finished steps and does
nothing once the submission is decided), so a job re-queued after its worker died is safe.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_submission(public_id: str) -> str:
    from lantai.accounts.actor import Actor
    from lantai.ingest import pipeline
    from lantai.ingest.models import Submission

    sub = Submission.objects.select_related("fonds", "category").filter(public_id=public_id).first()
    if sub is None:
        return "missing"
    return pipeline.run(sub, Actor.system("ingest")).status
