"""Shared form fields: hand-made posts never crash a page."""

from flask_wtf import FlaskForm

from cafe.forms import DayMonthYearField, Required


class DueForm(FlaskForm):
    due = DayMonthYearField("Due date", validators=[Required("Enter the due date")])


def test_a_post_without_the_date_boxes_gets_a_message_and_three_empty_boxes(app):
    with app.test_request_context(method="POST", data={"other": "1"}):
        form = DueForm()

        assert not form.validate()
        assert form.errors == {"due": ["Enter the due date"]}
        assert form.due().count('type="text"') == 3


def test_a_post_with_only_the_day_says_what_is_missing(app):
    with app.test_request_context(method="POST", data={"due": "12"}):
        form = DueForm()

        assert not form.validate()
        assert form.errors == {"due": ["Due date must include a month and a year"]}
        assert 'value="12"' in form.due()
