"""The last step: send a linted dataset to a fine-tuning service and follow the job.

``provider`` is the interface a service implements; ``openai_compat`` implements it for
OpenAI, Azure OpenAI and any OpenAI-compatible endpoint with the official SDK; ``train``
is the safe orchestration (lint gate, cost, confirmation, no duplicate uploads or jobs).
"""
