from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from keyworker.accounts.models import Team, User


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("email", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Keyworker", {"fields": ("role", "team")}))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "area")
