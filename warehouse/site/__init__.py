"""The dataset as a static website (`nianbao site`): see build.py."""
