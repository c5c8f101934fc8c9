"""Presets for OpenAI-compatible endpoints: where they live and which variable holds their key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EndpointPreset:
    """One kind of OpenAI-compatible endpoint."""

    name: str  # stable id, stored in settings and used as the keyring account
    title: str
    base_url: str  # "" for custom: the user types it
    key_env: str | None  # environment variable that may hold the key
    needs_key: bool
    example_model: str
    note: str = ""
    # Where the window asks for this endpoint's key (said when there is none).
    key_place: str = "the frontier settings"


ENDPOINT_PRESETS: tuple[EndpointPreset, ...] = (
    EndpointPreset("openai", "OpenAI", "https://api.openai.com/v1", "OPENAI_API_KEY", True, "gpt-4o-mini"),
    EndpointPreset(
        "openrouter",
        "OpenRouter",
        "https://openrouter.ai/api/v1",
        "OPENROUTER_API_KEY",
        True,
        "openai/gpt-4o-mini",
    ),
    EndpointPreset(
        "ollama", "Ollama (local)", "http://127.0.0.1:11434/v1", None, False, "llama3.2", "no key needed"
    ),
    EndpointPreset(
        "llama-server",
        "llama-server (local)",
        "http://127.0.0.1:8080/v1",
        "LLAMA_API_KEY",
        False,
        "local",
        "key only if started with --api-key",
    ),
    EndpointPreset(
        "vllm",
        "vLLM",
        "http://127.0.0.1:8000/v1",
        "VLLM_API_KEY",
        False,
        "meta-llama/Llama-3.1-8B-Instruct",
        "key only if started with --api-key",
    ),
    EndpointPreset("custom", "Custom base URL", "", "SPECIALIST_STUDIO_FRONTIER_KEY", False, ""),
)


def preset_by_name(name: str) -> EndpointPreset:
    """The preset called `name`; unknown names fall back to 'custom'."""
    for preset in ENDPOINT_PRESETS:
        if preset.name == name:
            return preset
    return ENDPOINT_PRESETS[-1]


def preset_for_url(base_url: str) -> EndpointPreset:
    """The preset whose base URL matches, else 'custom' (for `--frontier-url` on the command line)."""
    wanted = base_url.rstrip("/")
    for preset in ENDPOINT_PRESETS:
        if preset.base_url and preset.base_url.rstrip("/") == wanted:
            return preset
    return ENDPOINT_PRESETS[-1]
