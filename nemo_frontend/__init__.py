"""The front-end layer: what every front-end (the ``nemo`` command, ``nemo batch``,
the studio, the cassette scripts, the fault matrix) does around the core, written once.

- ``turns``: run one turn of a ``Conversation`` on a driver (sync or async), persist
  the snapshot as soon as a render exists, download a ready video, say how it ended;
- ``download``: the one download-and-verify (``<target>.part``, checked, renamed);
- ``outcomes``: exit codes and the one mapping from errors to them;
- ``workflows``: whole jobs made of turns (``make_video``).

It imports the core and its drivers only; front-ends import it.
"""
