"""Logos of stored codes, kept so a code can be drawn again in another format (dashboard downloads)."""
import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from exaroutes.models.meta import Base


class CodeLogo(Base):
    """Our own PNG re-encoding of a logo (never the client's bytes), once per workspace and logo.

    `digest` is what the code's stored style shows instead of the logo (`sha256:<hex>`)."""

    __tablename__ = "code_logos"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(71), primary_key=True)
    image: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
