"""Notifications leaving the system: channels (SMTP, WhatsApp over HTTP), the outbox sender and
the reminder scheduler's entry point."""
