"""A tour of the resources beyond /interactions with the blocking `Client`: a saved
managed agent, a sandbox environment and its files, a credential, a cron trigger, a
webhook and a decision.

Runs offline against the local server:

    agentloop serve --port 8765 &
    AGENTLOOP_BASE_URL=http://127.0.0.1:8765 python examples/resources_tour.py
"""

from agentloop import Client, NotFoundError


def main() -> None:
    client = Client()

    try:
        agent = client.agents.get("release-notes")
    except NotFoundError:
        agent = client.agents.create(
            id="release-notes",
            base_agent="antigravity-preview-09-2026",
            description="Writes release notes from merged pull requests.",
            system_instruction="Be concise; group changes by area.",
            tools=[{"type": "code_execution"}],
        )
    print(f"agent: {agent.id} (extends {agent.base_agent})")

    env = client.environments.create(
        sources=[{"type": "inline", "target": "AGENTS.md", "content": "# Style\nShort lines."}],
        network="disabled",
    )
    client.environments.files.upload(env.id, "notes/draft.md", b"- Faster uploads\n")
    files = [f.path for f in client.environments.files.list(env.id, recursive=True)]
    print(f"environment: {env.id} files={files}")
    print("draft:", client.environments.files.download(env.id, "notes/draft.md"))

    credential = client.credentials.create(
        id=f"github-{env.id}", type="bearer_token", token="ghp_example"
    )
    print(f"credential: {credential.id} ({credential.type}, secret not echoed)")

    trigger = client.triggers.create(
        schedule="0 9 * * 1",
        time_zone="UTC",
        interaction={"agent": f"agents/{agent.id}", "input": "Write this week's notes."},
        display_name="weekly notes",
    )
    print(f"trigger: {trigger.display_name} next at {trigger.next_run_time}")
    execution = client.triggers.run(trigger.id)
    print(f"ran now: execution {execution.id} -> interaction {execution.interaction_id}")

    hook = client.webhooks.create(
        uri="http://127.0.0.1:9/never-listening", subscribed_events=["interaction.completed"]
    )
    print(f"webhook: {hook.id}, secret shown once: {(hook.new_signing_secret or '')[:10]}...")

    decision = client.decisions.create(
        model="gemini-3-flash-preview",
        input="The upload page crashes with error 500 when the file is large.",
        questions={
            "kind": {
                "type": "choice",
                "instructions": "What kind of report is this?",
                "criteria": {"bug": "error, crash, broken", "feature": "please add, wish"},
            },
        },
    )
    print(f"decision: {decision.answers['kind'].to_dict()}")

    client.webhooks.delete(hook.id or "")
    client.triggers.delete(trigger.id)
    client.credentials.delete(credential.id)
    client.environments.delete(env.id)


if __name__ == "__main__":
    main()
