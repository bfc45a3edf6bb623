"""The wire layer: the Interactions API's data, and nothing that moves it.

Owns the parsed models (interactions, steps, content, stream events and deltas), the
request shapes users send (TypedDicts) and their translation to today's wire, SSE
framing, folding stream events into an interaction, and content helpers.

Pure: no I/O, no clock, no threads. It imports only `agentloop._errors`; every other
layer may import it, and it imports none of them.
"""
