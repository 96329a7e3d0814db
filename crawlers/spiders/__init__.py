"""Spiders: `nianbao` (auto-detects each portal's platform) and thin per-platform variants (`nianbao-trs`, …)."""
