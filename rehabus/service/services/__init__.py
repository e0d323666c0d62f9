"""The service's work, below the routers and above the library: deciding bookings
(`bookings`) and standing orders (`series`), the days held in memory (`days`), dispatchers'
changes to a day (`dispatching`), planners' simulations (`simulation`), riders, accounts and
signing in (`riders`, `accounts`, `signin`, `lockout`), places and map layers (`places`,
`geo`), fleet seeding, the demo and idempotent requests. A router parses, authorizes, calls
one of these and shapes the answer; nothing here imports a router."""
