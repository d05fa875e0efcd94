"""intervention points, actions and their updates, the partnership ladder and feedback

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:26:10.664876

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback",
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("next_time", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_feedback_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_feedback")),
    )
    op.create_table(
        "ladder_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("rung", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "stage IN ('before', 'after')", name=op.f("ck_ladder_answers_stage_known")
        ),
        sa.CheckConstraint("rung BETWEEN 1 AND 9", name=op.f("ck_ladder_answers_rung_one_to_nine")),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_ladder_answers_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ladder_answers")),
        sa.UniqueConstraint("invitation_id", "stage", name="uq_ladder_answers_invitation_stage"),
    )
    with op.batch_alter_table("ladder_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ladder_answers_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "intervention_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("round_index", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("life_stage", sa.String(length=200), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("intervention", sa.Text(), nullable=False),
        sa.Column("barrier", sa.String(length=30), nullable=False),
        sa.Column("strength", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "barrier IN ('information_sharing', 'consent', 'culture', 'capacity', 'systems', 'funding', 'other')",
            name=op.f("ck_intervention_points_barrier_known"),
        ),
        sa.CheckConstraint(
            "revision >= 0", name=op.f("ck_intervention_points_revision_not_negative")
        ),
        sa.CheckConstraint(
            "round_index >= 0", name=op.f("ck_intervention_points_round_not_negative")
        ),
        sa.CheckConstraint(
            "strength BETWEEN 1 AND 5", name=op.f("ck_intervention_points_strength_one_to_five")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_intervention_points_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["cafe_tables.id"],
            name=op.f("fk_intervention_points_table_id_cafe_tables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention_points")),
        sa.UniqueConstraint("table_id", "client_id", name="uq_intervention_points_table_client"),
    )
    with op.batch_alter_table("intervention_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intervention_points_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_intervention_points_table_id"), ["table_id"], unique=False
        )

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("case_study_id", sa.Integer(), nullable=True),
        sa.Column("intervention_point_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("due_reminder_at", sa.DateTime(), nullable=True),
        sa.Column("followup_30_at", sa.DateTime(), nullable=True),
        sa.Column("followup_90_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'on_track', 'at_risk', 'done')",
            name=op.f("ck_actions_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_study_id"],
            ["case_studies.id"],
            name=op.f("fk_actions_case_study_id_case_studies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_actions_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["intervention_point_id"],
            ["intervention_points.id"],
            name=op.f("fk_actions_intervention_point_id_intervention_points"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_actions_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actions_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actions_status"), ["status"], unique=False)

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'on_track', 'at_risk', 'done')",
            name=op.f("ck_action_updates_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_updates_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_status"))
        batch_op.drop_index(batch_op.f("ix_actions_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_actions_event_id"))

    op.drop_table("actions")
    with op.batch_alter_table("intervention_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intervention_points_table_id"))
        batch_op.drop_index(batch_op.f("ix_intervention_points_event_id"))

    op.drop_table("intervention_points")
    with op.batch_alter_table("ladder_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ladder_answers_invitation_id"))

    op.drop_table("ladder_answers")
    op.drop_table("feedback")
