"""The service's work, below the routers and above the library: deciding bookings
(`bookings`), the days held in memory (`days`), dispatchers' changes to a day (`dispatching`),
planners' simulations (`simulation`), places (`places`), accounts, fleet seeding, the demo,
idempotent requests and sign-in lockout. A router parses, authorizes, calls one of these and
shapes the answer; nothing here imports a router."""
