"""Gunicorn settings of the app: the data apps' shared settings (dataplatform_common.gunicorn_settings)."""

from dataplatform_common.gunicorn_settings import *  # noqa: F403
