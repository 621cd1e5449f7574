"""Writes for courses: videos (upload, processing, sweeping) and progress
(watch reports, quizzes, completion and its credited hours)."""
