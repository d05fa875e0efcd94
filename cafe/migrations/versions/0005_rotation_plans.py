"""rotation plans, planning rules, plan jobs, check-in and the room clock

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:18:03.742483

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("held_rounds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('solver', 'locks', 'replan')", name=op.f("ck_plans_kind_known")
        ),
        sa.CheckConstraint("held_rounds >= 0", name=op.f("ck_plans_held_rounds_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["organisers.id"],
            name=op.f("fk_plans_created_by_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_plans_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("event_id", "number", name="uq_plans_event_number"),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_event_id"), ["event_id"], unique=False)

    op.create_table(
        "room_clocks",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("round_index", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("paused_seconds", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "phase IN ('waiting', 'running', 'paused', 'moving', 'finished')",
            name=op.f("ck_room_clocks_phase_known"),
        ),
        sa.CheckConstraint("round_index >= 0", name=op.f("ck_room_clocks_round_not_negative")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_room_clocks_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_room_clocks")),
    )
    op.create_table(
        "plan_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("held_rounds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("progress", sa.String(length=300), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(active IS NOT NULL) = (state IN ('queued', 'running'))",
            name=op.f("ck_plan_jobs_active_while_open"),
        ),
        sa.CheckConstraint(
            "kind IN ('plan', 'locks', 'replan')", name=op.f("ck_plan_jobs_kind_known")
        ),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed', 'infeasible')",
            name=op.f("ck_plan_jobs_state_known"),
        ),
        sa.CheckConstraint("time_limit > 0", name=op.f("ck_plan_jobs_time_limit_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_plan_jobs_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_jobs_plan_id_plans"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["organisers.id"],
            name=op.f("fk_plan_jobs_requested_by_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_jobs")),
        sa.UniqueConstraint("event_id", "active", name="uq_plan_jobs_event_active"),
    )
    with op.batch_alter_table("plan_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_jobs_event_id"), ["event_id"], unique=False)

    op.create_table(
        "attendances",
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("is_walk_in", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('arrived', 'no_show')", name=op.f("ck_attendances_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["organisers.id"],
            name=op.f("fk_attendances_by_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_attendances_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_attendances_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_attendances")),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendances_event_id"), ["event_id"], unique=False)

    op.create_table(
        "plan_seats",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("round_index", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("is_locked", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_plan_seats_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_seats_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["cafe_tables.id"],
            name=op.f("fk_plan_seats_table_id_cafe_tables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "plan_id", "invitation_id", "round_index", name=op.f("pk_plan_seats")
        ),
    )
    with op.batch_alter_table("plan_seats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_seats_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "planning_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=True),
        sa.Column("other_invitation_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'avoid_person') = (other_invitation_id IS NOT NULL)",
            name=op.f("ck_planning_rules_person_for_avoid"),
        ),
        sa.CheckConstraint(
            "(kind = 'avoid_table') = (table_id IS NOT NULL)",
            name=op.f("ck_planning_rules_table_for_avoid"),
        ),
        sa.CheckConstraint(
            "kind IN ('stays', 'avoid_table', 'avoid_person')",
            name=op.f("ck_planning_rules_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_planning_rules_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_planning_rules_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_invitation_id"],
            ["invitations.id"],
            name=op.f("fk_planning_rules_other_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["cafe_tables.id"],
            name=op.f("fk_planning_rules_table_id_cafe_tables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_rules")),
    )
    with op.batch_alter_table("planning_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_rules_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_planning_rules_invitation_id"), ["invitation_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("planning_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_rules_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_planning_rules_event_id"))

    op.drop_table("planning_rules")
    with op.batch_alter_table("plan_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_seats_invitation_id"))

    op.drop_table("plan_seats")
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendances_event_id"))

    op.drop_table("attendances")
    with op.batch_alter_table("plan_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_jobs_event_id"))

    op.drop_table("plan_jobs")
    op.drop_table("room_clocks")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_event_id"))

    op.drop_table("plans")
