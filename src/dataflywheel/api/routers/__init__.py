"""HTTP routers, one per capability; each a thin call into a flow."""
