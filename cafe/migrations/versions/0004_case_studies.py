"""case studies, their versions, reviews, audit log, tables and preferences

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 19:15:19

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("commissioned_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("link_key", sa.String(length=40), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("structure", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.Column("content_warnings", sa.Text(), nullable=False),
        sa.Column("sensitive_terms", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "commissioned_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("saved_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('commissioned', 'draft', 'submitted', 'changes_requested', 'approved', 'withdrawn')",
            name=op.f("ck_case_studies_state_known"),
        ),
        sa.CheckConstraint("revision >= 0", name=op.f("ck_case_studies_revision_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["contacts.id"], name=op.f("fk_case_studies_author_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["commissioned_by_id"],
            ["organisers.id"],
            name=op.f("fk_case_studies_commissioned_by_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_case_studies_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_studies")),
    )
    with op.batch_alter_table("case_studies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_studies_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_studies_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_studies_state"), ["state"], unique=False)

    op.create_table(
        "cafe_tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("host_contact_id", sa.Integer(), nullable=True),
        sa.Column("co_facilitator", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_cafe_tables_capacity_positive")),
        sa.CheckConstraint("number > 0", name=op.f("ck_cafe_tables_number_positive")),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_cafe_tables_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_cafe_tables_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_contact_id"],
            ["contacts.id"],
            name=op.f("fk_cafe_tables_host_contact_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cafe_tables")),
        sa.UniqueConstraint("case_study_id", name="uq_cafe_tables_case_study_id"),
        sa.UniqueConstraint("event_id", "number", name="uq_cafe_tables_event_number"),
    )
    with op.batch_alter_table("cafe_tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cafe_tables_event_id"), ["event_id"], unique=False)

    op.create_table(
        "case_study_audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "action IN ('view', 'print', 'export', 'download')",
            name=op.f("ck_case_study_audit_entries_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_case_study_audit_entries_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_case_study_audit_entries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_case_study_audit_entries_organiser_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study_audit_entries")),
    )
    with op.batch_alter_table("case_study_audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_study_audit_entries_case_study_id"), ["case_study_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_study_audit_entries_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_study_audit_entries_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "case_study_identifier_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_case_study_identifier_decisions_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study_identifier_decisions")),
        sa.UniqueConstraint(
            "case_study_id", "kind", "text", name="uq_identifier_decisions_finding"
        ),
    )
    with op.batch_alter_table("case_study_identifier_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_study_identifier_decisions_case_study_id"),
            ["case_study_id"],
            unique=False,
        )

    op.create_table(
        "case_study_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "rank BETWEEN 1 AND 3", name=op.f("ck_case_study_preferences_rank_one_to_three")
        ),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_case_study_preferences_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_case_study_preferences_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study_preferences")),
        sa.UniqueConstraint(
            "invitation_id", "case_study_id", name="uq_case_study_preferences_case_study"
        ),
        sa.UniqueConstraint("invitation_id", "rank", name="uq_case_study_preferences_rank"),
    )
    with op.batch_alter_table("case_study_preferences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_study_preferences_case_study_id"), ["case_study_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_study_preferences_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "case_study_review_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_case_study_review_comments_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_case_study_review_comments_organiser_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study_review_comments")),
    )
    with op.batch_alter_table("case_study_review_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_study_review_comments_case_study_id"),
            ["case_study_id"],
            unique=False,
        )

    op.create_table(
        "case_study_timeline_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("services", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_case_study_timeline_entries_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study_timeline_entries")),
        sa.UniqueConstraint("case_study_id", "position", name="uq_timeline_entries_position"),
    )
    with op.batch_alter_table("case_study_timeline_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_study_timeline_entries_case_study_id"),
            ["case_study_id"],
            unique=False,
        )

    op.create_table(
        "case_study_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_case_study_versions_case_study_id_case_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study_versions")),
        sa.UniqueConstraint("case_study_id", "number", name="uq_case_study_versions_number"),
    )
    with op.batch_alter_table("case_study_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_study_versions_case_study_id"), ["case_study_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("case_study_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_versions_case_study_id"))

    op.drop_table("case_study_versions")
    with op.batch_alter_table("case_study_timeline_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_timeline_entries_case_study_id"))

    op.drop_table("case_study_timeline_entries")
    with op.batch_alter_table("case_study_review_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_review_comments_case_study_id"))

    op.drop_table("case_study_review_comments")
    with op.batch_alter_table("case_study_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_preferences_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_case_study_preferences_case_study_id"))

    op.drop_table("case_study_preferences")
    with op.batch_alter_table("case_study_identifier_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_identifier_decisions_case_study_id"))

    op.drop_table("case_study_identifier_decisions")
    with op.batch_alter_table("case_study_audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_audit_entries_event_id"))
        batch_op.drop_index(batch_op.f("ix_case_study_audit_entries_created_at"))
        batch_op.drop_index(batch_op.f("ix_case_study_audit_entries_case_study_id"))

    op.drop_table("case_study_audit_entries")
    with op.batch_alter_table("cafe_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cafe_tables_event_id"))

    op.drop_table("cafe_tables")
    with op.batch_alter_table("case_studies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_studies_state"))
        batch_op.drop_index(batch_op.f("ix_case_studies_event_id"))
        batch_op.drop_index(batch_op.f("ix_case_studies_author_id"))

    op.drop_table("case_studies")
