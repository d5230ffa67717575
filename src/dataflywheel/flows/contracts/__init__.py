"""Interface contracts: register, version, activate, and compile into check plans."""
