"""Endpoints: campaigns (being written)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
