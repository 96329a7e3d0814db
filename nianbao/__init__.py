"""nianbao: the open data pipeline for China's government information-disclosure annual reports."""

__version__ = "0.1.0"
