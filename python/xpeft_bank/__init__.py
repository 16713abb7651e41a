"""X-PEFT adapter banks from PyTorch: AdapterHub adapters in, the engine's bank files out."""
