"""The independence rules: who may work on a case, and who may waive a rule for it.

One clear place for every rule. `independence` holds one function per `model.casework.Rule`
and the single `check` that every path (an assignment, the assignee picker, a waiver) goes
through; `organisations` decides when two written force or unit names mean the same body.

Everything here is pure: the casework service gathers an `AssignmentContext` and asks.
"""
