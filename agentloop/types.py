"""The Interactions API's wire models: what agentloop parses and what you may send.

```python
from agentloop import Client
from agentloop.types import FunctionCallStep

interaction = Client().interactions.create(model="gemini-2.5-flash", input="Hi!")
for step in interaction.steps:
    if isinstance(step, FunctionCallStep):
        print(step.name, step.arguments)
```

Responses are pydantic models open to fields and `type` values the API adds later
(unknown ones parse as `Unknown*`); requests are TypedDicts, so plain dicts work.
`Interaction` and `Usage` are also importable from `agentloop` itself.
"""

from __future__ import annotations

from ._wire.content import Annotation as Annotation
from ._wire.content import AudioContent as AudioContent
from ._wire.content import Content as Content
from ._wire.content import DocumentContent as DocumentContent
from ._wire.content import FileCitation as FileCitation
from ._wire.content import ImageContent as ImageContent
from ._wire.content import PlaceCitation as PlaceCitation
from ._wire.content import TextContent as TextContent
from ._wire.content import UnknownContent as UnknownContent
from ._wire.content import UrlCitation as UrlCitation
from ._wire.content import VideoContent as VideoContent
from ._wire.events import ArgumentsDelta as ArgumentsDelta
from ._wire.events import Delta as Delta
from ._wire.events import ErrorEvent as ErrorEvent
from ._wire.events import EventType as EventType
from ._wire.events import InteractionCompletedEvent as InteractionCompletedEvent
from ._wire.events import InteractionCreatedEvent as InteractionCreatedEvent
from ._wire.events import InteractionStatusUpdateEvent as InteractionStatusUpdateEvent
from ._wire.events import LegacyFunctionCallDelta as LegacyFunctionCallDelta
from ._wire.events import StepDeltaEvent as StepDeltaEvent
from ._wire.events import StepStartEvent as StepStartEvent
from ._wire.events import StepStopEvent as StepStopEvent
from ._wire.events import StreamEvent as StreamEvent
from ._wire.events import TextAnnotationDelta as TextAnnotationDelta
from ._wire.events import TextDelta as TextDelta
from ._wire.events import ThoughtSignatureDelta as ThoughtSignatureDelta
from ._wire.events import ThoughtSummaryDelta as ThoughtSummaryDelta
from ._wire.events import ToolDelta as ToolDelta
from ._wire.events import UnknownDelta as UnknownDelta
from ._wire.events import UnknownEvent as UnknownEvent
from ._wire.file import File as File
from ._wire.interaction import GeneratedImage as GeneratedImage
from ._wire.interaction import Interaction as Interaction
from ._wire.interaction import InteractionError as InteractionError
from ._wire.interaction import Output as Output
from ._wire.interaction import Usage as Usage
from ._wire.requests import CreateInteractionBody as CreateInteractionBody
from ._wire.requests import FunctionResultInput as FunctionResultInput
from ._wire.requests import GenerationConfig as GenerationConfig
from ._wire.requests import ResponseFormatEntry as ResponseFormatEntry
from ._wire.requests import Turn as Turn
from ._wire.resources import Answer as Answer
from ._wire.resources import ChoiceAnswer as ChoiceAnswer
from ._wire.resources import Credential as Credential
from ._wire.resources import Decision as Decision
from ._wire.resources import EnvironmentFile as EnvironmentFile
from ._wire.resources import EnvironmentResource as EnvironmentResource
from ._wire.resources import ManagedAgent as ManagedAgent
from ._wire.resources import NoulAnswer as NoulAnswer
from ._wire.resources import PromptFeedback as PromptFeedback
from ._wire.resources import ScoreAnswer as ScoreAnswer
from ._wire.resources import SigningSecret as SigningSecret
from ._wire.resources import Trigger as Trigger
from ._wire.resources import TriggerExecution as TriggerExecution
from ._wire.resources import UnknownAnswer as UnknownAnswer
from ._wire.resources import Webhook as Webhook
from ._wire.resources import WebhookEvent as WebhookEvent
from ._wire.resources import WebhookSecret as WebhookSecret
from ._wire.steps import CodeExecutionCallStep as CodeExecutionCallStep
from ._wire.steps import CodeExecutionResultStep as CodeExecutionResultStep
from ._wire.steps import FileSearchCallStep as FileSearchCallStep
from ._wire.steps import FileSearchResultStep as FileSearchResultStep
from ._wire.steps import FunctionCallStep as FunctionCallStep
from ._wire.steps import FunctionResultStep as FunctionResultStep
from ._wire.steps import GoogleMapsCallStep as GoogleMapsCallStep
from ._wire.steps import GoogleMapsResultStep as GoogleMapsResultStep
from ._wire.steps import GoogleSearchCallStep as GoogleSearchCallStep
from ._wire.steps import GoogleSearchResultStep as GoogleSearchResultStep
from ._wire.steps import McpServerToolCallStep as McpServerToolCallStep
from ._wire.steps import McpServerToolResultStep as McpServerToolResultStep
from ._wire.steps import ModelOutputStep as ModelOutputStep
from ._wire.steps import ProcessingCallStep as ProcessingCallStep
from ._wire.steps import ProcessingResultStep as ProcessingResultStep
from ._wire.steps import RetrievalCallStep as RetrievalCallStep
from ._wire.steps import RetrievalResultStep as RetrievalResultStep
from ._wire.steps import Step as Step
from ._wire.steps import ThoughtStep as ThoughtStep
from ._wire.steps import ToolSearchCallStep as ToolSearchCallStep
from ._wire.steps import ToolSearchResultStep as ToolSearchResultStep
from ._wire.steps import UnknownStep as UnknownStep
from ._wire.steps import UrlContextCallStep as UrlContextCallStep
from ._wire.steps import UrlContextResultStep as UrlContextResultStep
from ._wire.steps import UserInputStep as UserInputStep
