"""Warm shutdown (SIGTERM, a deploy) as a flag the running job task can read.

In a prefork worker, Celery's main process stops consuming on SIGTERM and waits for the
pool children to finish their tasks; a child runs on unaware (or, when the signal reached
the whole process group, dies with its work half done). Here a pool child that is running
a task turns SIGTERM into a flag instead: `requested()` becomes True, and long job tasks
(bulk-send chunks, reports) stop at their next check, put their unfinished work back and
enqueue its continuation, so another worker carries on within seconds. An idle child still
exits at once. The main process forwards a warm shutdown to its children, so a SIGTERM
sent to the main process alone (docker stop) has the same effect.
"""

import logging
import os
import signal

from celery import signals

logger = logging.getLogger(__name__)

_state = {"requested": False, "in_task": False, "pool_child": False, "previous": None}


def requested() -> bool:
    """True once this worker process was asked to shut down (warm)."""
    return _state["requested"]


def _on_sigterm(signum, frame):
    if not _state["in_task"]:  # idle: exit as the pool child always did
        previous = _state["previous"]
        if callable(previous):
            return previous(signum, frame)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return None
    already, _state["requested"] = _state["requested"], True
    if not already:
        logger.warning("warm shutdown: the running job task hands its work back")
    return None


@signals.worker_process_init.connect
def _pool_child_started(**kwargs):
    _state.update(requested=False, pool_child=True)


@signals.task_prerun.connect
def _task_started(**kwargs):
    # Installed at the first task: billiard sets its own SIGTERM handler in the child
    # after worker_process_init; that one still runs when the child is idle.
    if _state["pool_child"] and _state["previous"] is None:
        _state["previous"] = signal.signal(signal.SIGTERM, _on_sigterm)
    _state["in_task"] = True


@signals.task_postrun.connect
def _task_ended(**kwargs):
    _state["in_task"] = False


@signals.worker_shutting_down.connect
def _tell_pool_children(how=None, **kwargs):
    """The main process of a prefork worker: a warm shutdown reaches the children too."""
    if how != "Warm":
        return
    from billiard.process import active_children

    for child in active_children():
        try:
            os.kill(child.pid, signal.SIGTERM)
        except OSError:
            pass
