"""``/sectors``: the professional sector taxonomy a search filters by."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.schemas import SectorList, SectorOut
from service.classify.sectors import get_taxonomy

router = APIRouter(prefix="/sectors", tags=["sectors"])


@router.get("", response_model=SectorList, response_model_exclude_none=True)
def list_sectors(
    vocabulary: Annotated[
        bool, Query(description="Also list each sector's keywords and acronyms (`1`).")
    ] = False,
) -> SectorList:
    """Every sector, in display order: the `slug` is what `sector=` takes."""
    return SectorList(
        items=[
            SectorOut(
                slug=sector.slug,
                label=sector.label,
                description=sector.description,
                keywords=list(sector.keywords) if vocabulary else None,
                acronyms=list(sector.acronyms) if vocabulary else None,
            )
            for sector in get_taxonomy()
        ]
    )
