"""The CaseOps baseline agent (run by ``inference.py``): an OpenAI-client LLM policy
with a deterministic fallback.

Environment: ``API_BASE_URL`` (default https://router.huggingface.co/v1; any
OpenAI-compatible ``/v1`` endpoint, such as a local vLLM or llama.cpp server),
``MODEL_NAME``, ``HF_TOKEN`` or ``OPENAI_API_KEY``; ``ENV_BASE_URL`` (a running server,
played over HTTP; unset: the environment runs in-process); ``LOCAL_IMAGE_NAME``
(OpenEnv's ``from_docker_image``); ``CASEOPS_SPLIT`` / ``--split`` and ``CASEOPS_LIMIT`` /
``--limit``. Model calls: ``CASEOPS_MODEL_TIMEOUT`` (seconds per HTTP request, default
60), ``CASEOPS_MODEL_RETRIES`` (retries of one call on 408/409/429/5xx, timeouts and
connection errors, default 3), ``CASEOPS_MAX_MODEL_CALLS`` (per run, default 400),
``CASEOPS_HISTORY_CHARS`` (the conversation's budget, default 24000).

Stdout carries only the ``[START]``/``[STEP]``/``[END]`` lines, one block per task in a
fixed order; everything else goes to stderr. With no credentials, or when the model
cannot give a usable action, the fallback policy plays: a heuristic that reads only the
observation (never the gold).

The conversation. Every request is ``system`` (the prompt), then the *task statement*
as the first ``user`` turn (task id, objective, ticket, artifact ids, policy topics, the
allowed values), then strictly alternating ``assistant`` (the action played, as JSON) and
``user`` (the observation that followed, as compact text) turns, ending on a ``user``
turn. The first user turn also carries the first observation. Only the newest user turn
carries the whole observation, its case file included (the contents of every piece of
evidence collected so far, so nothing the agent learned needs the history); older user
turns are cut to one line each (step, status, the start of the result, any error).

The history policy: a request may hold at most ``CASEOPS_HISTORY_CHARS`` characters of
message content. When it would hold more, the oldest assistant/user pairs are dropped,
oldest first, and a one-paragraph summary of what they did (step numbers and actions)
is appended to the first user turn. The system prompt, the task statement and the
newest pair are never dropped, so a request may exceed the budget only when those alone
do. A reply that cannot be parsed is asked for once more, the same request followed by
the reply and the parse error; neither is kept in the history.

Robust calls (the ``openai`` client's own retry, :class:`ModelConfig`): a timeout per
HTTP request; retries with exponential backoff (0.5 s doubling, at most 8 s, with
jitter) on 408, 409, 429 and 5xx answers, timeouts and connection errors, honouring a
server's ``Retry-After`` (or ``retry-after-ms``) up to two minutes. After two calls in a
row that fail even so, the fallback plays the rest of the task; after
``CASEOPS_MAX_MODEL_CALLS`` calls (parse retries count), the rest of the run.

Per task, one ``[stats]`` line on stderr: ``model_calls`` (chat completions asked,
parse retries included), ``http_requests`` (retries included), ``call_failures``,
``parse_failures`` (replies without a usable JSON action), ``invalid_actions`` (actions
the environment refused as malformed), ``fallback_steps``, and ``prompt_tokens`` /
``completion_tokens`` summed over the calls whose answers gave ``usage`` (``n/a`` when
none did); then one ``[stats] total`` line for the run.
"""
