"""The office's own data, which administrators keep and every process reads: its settings
(`settings`: defaults and overrides), the working-day calendar (`workdays`: the official calendar
and the fallback `holidays` table), and the administrator's commands on units, the holiday table
and the settings (`admin`)."""
