"""The flywheel as a run system (issue 20, P10 §7 and §10): its stage plan and its runs."""
