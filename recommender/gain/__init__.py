"""Expected-gain recommender: which learning item helps this agent's composite most.

Modules, in data-flow order: `weeks` (week arithmetic), `composite` (the contract's
performance composite), `panel` (agent state per week), `items` (item and agent×item
features), `training` (exposure and control rows with outcomes), `model` (the learners
and the artifact), `eligibility` (rules, budget, exploration), `paths` (career-path gaps),
`explanations` (reasons from per-feature contributions), `baselines`, `evaluation`.
The public interface is `recommender.api`.
"""
