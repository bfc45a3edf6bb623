from google import genai
client = genai.Client()

functions = [
    {
        "type": "function",
        "name": "schedule_meeting",
        "description": "Schedules a meeting with specified attendees at a given time and date.",
        "parameters": {
            "type": "object",
            "properties": {
                "attendees": {"type": "array", "items": {"type": "string"}},
                "date": {"type": "string", "description": "Date of the meeting (e.g., 2024-07-29)"},
                "time": {"type": "string", "description": "Time of the meeting (e.g., 15:00)"},
                "topic": {"type": "string", "description": "The subject of the meeting."},
            },
            "required": ["attendees", "date", "time", "topic"],
        },
    }
]

history = [{"type": "user_input", "content": [{"type": "text", "text": "Schedule a meeting for 2025-11-01 at 10 am with Peter and Amir about the Next Gen API."}]}]

# 1. Model decides to call the function
interaction = client.interactions.create(
    model="gemini-2.5-flash",
    input=history,
    tools=functions
)

# add the model's steps back to history
history.extend(step.model_dump(exclude_none=True) for step in interaction.steps)

for step in interaction.steps:
    if step.type == "function_call":
        print(f"Function call: {step.name} with arguments {step.arguments}")

        # 2. Execute the function and get a result
        # In a real app, you would call your function here.
        # call_result = schedule_meeting(**step.arguments)
        call_result = "Meeting scheduled successfully."

        # 3. Send the result back to the model
        history.append({"type": "function_result", "name": step.name, "call_id": step.id, "result": call_result})

        interaction2 = client.interactions.create(
            model="gemini-2.5-flash",
            input=history,
            tools=functions,
        )
        print(f"Final response: {interaction2.output_text}")
    else:
        print(f"Output: {step}")
