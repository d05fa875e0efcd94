"""contacts, organisations, CSV imports, invitations, sends and nominations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 19:15:19

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('central_government', 'local_authority', 'nhs', 'police', 'fire', 'education', 'voluntary', 'other')",
            name=op.f("ck_organisations_kind_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "contact_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_contact_imports_organiser_id_organisers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_imports")),
    )
    with op.batch_alter_table("contact_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_imports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_imports_organiser_id"), ["organiser_id"], unique=False
        )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "side IN ('strategy', 'frontline')", name=op.f("ck_contacts_side_known")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_contacts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("email", name=op.f("uq_contacts_email")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "invitation_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("rsvp_deadline", sa.Date(), nullable=True),
        sa.Column("strategy_target", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reminder_subject", sa.String(length=300), nullable=False),
        sa.Column("reminder_body", sa.Text(), nullable=False),
        sa.Column("reply_to", sa.String(length=254), nullable=False),
        sa.Column("organiser_name", sa.String(length=200), nullable=False),
        sa.Column("calendar_sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("capacity_version", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "calendar_sequence >= 0", name=op.f("ck_invitation_settings_sequence_not_negative")
        ),
        sa.CheckConstraint(
            "strategy_target IS NULL OR (strategy_target BETWEEN 0 AND 100)",
            name=op.f("ck_invitation_settings_target_is_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_invitation_settings_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_invitation_settings")),
    )
    op.create_table(
        "sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('invitation', 'reminder', 'update', 'notice')",
            name=op.f("ck_sends_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_sends_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_sends_organiser_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sends")),
        sa.UniqueConstraint("request_key", name=op.f("uq_sends_request_key")),
    )
    with op.batch_alter_table("sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sends_event_id"), ["event_id"], unique=False)

    op.create_table(
        "contact_distinctions",
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "first_id < second_id", name=op.f("ck_contact_distinctions_ordered_pair")
        ),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["contacts.id"],
            name=op.f("fk_contact_distinctions_first_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["contacts.id"],
            name=op.f("fk_contact_distinctions_second_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("first_id", "second_id", name=op.f("pk_contact_distinctions")),
    )
    with op.batch_alter_table("contact_distinctions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_distinctions_second_id"), ["second_id"], unique=False
        )

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("link_key", sa.String(length=40), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("waiting_position", sa.Integer(), nullable=True),
        sa.Column("accessibility_needs", sa.Text(), server_default="", nullable=False),
        sa.Column("dietary_needs", sa.Text(), server_default="", nullable=False),
        sa.Column("is_listed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("holds_seat", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(state = 'waiting' AND waiting_position IS NOT NULL) OR (state <> 'waiting' AND waiting_position IS NULL)",
            name=op.f("ck_invitations_waiting_has_position"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'sent', 'accepted', 'declined', 'waiting', 'withdrawn')",
            name=op.f("ck_invitations_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_invitations_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_invitations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["invitations.id"],
            name=op.f("fk_invitations_replaces_id_invitations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("event_id", "contact_id", name="uq_invitations_event_contact"),
        sa.UniqueConstraint("event_id", "waiting_position", name="uq_invitations_event_waiting"),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitations_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitations_state"), ["state"], unique=False)

    op.create_table(
        "invitation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=12), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "actor IN ('organiser', 'invitee', 'system')",
            name=op.f("ck_invitation_events_actor_known"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_events_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_invitation_events_organiser_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_events")),
    )
    with op.batch_alter_table("invitation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_events_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("holds_seat", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("new_invitation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'rejected')", name=op.f("ck_nominations_state_known")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["organisers.id"],
            name=op.f("fk_nominations_decided_by_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_nominations_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["new_invitation_id"],
            ["invitations.id"],
            name=op.f("fk_nominations_new_invitation_id_invitations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
    )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nominations_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nominations_state"), ["state"], unique=False)

    op.create_table(
        "send_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["outgoing_emails.id"],
            name=op.f("fk_send_recipients_email_id_outgoing_emails"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_send_recipients_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["send_id"],
            ["sends.id"],
            name=op.f("fk_send_recipients_send_id_sends"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_recipients")),
        sa.UniqueConstraint("send_id", "invitation_id", name="uq_send_recipients_send_invitation"),
    )
    with op.batch_alter_table("send_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_send_recipients_email_id"), ["email_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_send_recipients_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_send_recipients_send_id"), ["send_id"], unique=False)


def downgrade():
    with op.batch_alter_table("send_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_send_recipients_send_id"))
        batch_op.drop_index(batch_op.f("ix_send_recipients_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_send_recipients_email_id"))

    op.drop_table("send_recipients")
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominations_state"))
        batch_op.drop_index(batch_op.f("ix_nominations_invitation_id"))

    op.drop_table("nominations")
    with op.batch_alter_table("invitation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_events_invitation_id"))

    op.drop_table("invitation_events")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_state"))
        batch_op.drop_index(batch_op.f("ix_invitations_event_id"))
        batch_op.drop_index(batch_op.f("ix_invitations_contact_id"))

    op.drop_table("invitations")
    with op.batch_alter_table("contact_distinctions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_distinctions_second_id"))

    op.drop_table("contact_distinctions")
    with op.batch_alter_table("sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sends_event_id"))

    op.drop_table("sends")
    op.drop_table("invitation_settings")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_organisation_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("contact_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_imports_organiser_id"))
        batch_op.drop_index(batch_op.f("ix_contact_imports_created_at"))

    op.drop_table("contact_imports")
    op.drop_table("organisations")
