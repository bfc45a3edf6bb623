from google import genai

client = genai.Client()

conversation_history = [
    {
        "type": "user_input",
        "content": [{"type": "text", "text": "What are the three largest cities in Spain?"}],
    }
]

interaction1 = client.interactions.create(
    model="gemini-2.5-flash",
    input=conversation_history
)

print(f"Model: {interaction1.output_text}")

conversation_history.extend(step.model_dump(exclude_none=True) for step in interaction1.steps)
conversation_history.append({
    "type": "user_input",
    "content": [{"type": "text", "text": "What is the most famous landmark in the second one?"}],
})

interaction2 = client.interactions.create(
    model="gemini-2.5-flash",
    input=conversation_history
)

print(f"Model: {interaction2.output_text}")
