"""rehabus: a dispatch optimizer for Taiwan's rehabilitation buses (復康巴士).

Three packages, each importing only the ones below it:

- `rehabus.dispatch`: the library (cities, travel times, the domain model, the validator,
  solvers, booking rules, service days, demand and the day simulator); no web framework and no
  database.
- `rehabus.service`: the FastAPI service on SQLAlchemy (bookings, dispatching, jobs).
- `rehabus.cli`: the ``rehabus`` command, which runs both.
"""
