"""`{% load crm_format %}`: jobs.formatting's dates and sizes in templates (Jalali in Persian)."""

from django import template

from jobs.formatting import format_date, format_datetime, format_size

register = template.Library()
register.filter("crm_datetime", format_datetime)
register.filter("crm_date", format_date)
register.filter("crm_size", format_size)
