"""Client harnesses that run the front-end layer against the fake backend.

Neither the server nor the client: ``fault_matrix`` drives real conversations through
``nemo_frontend`` over the fake (``fake_backend``) with a fault at every step.
"""
