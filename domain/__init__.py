"""Pure data and pure functions: vocabularies, actions, observations, events, state,
scenarios, the grader and the reward. Nothing here touches a clock, the network, a
database or an unseeded random generator, and nothing here imports the rest of CaseOps.
"""
