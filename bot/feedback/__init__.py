"""Feedback surveys for offices (issue #5): survey files, QR deep links, posters, reports, charts.

    surveys.py   survey definitions (YAML, uk + en), validated on load; which survey an office uses
    links.py     the versioned, opaque deep-link payloads printed as QR codes (`fb1_…`)
    answers.py   walking through a survey: skip logic, typed answers, what is stored
    alerts.py    the low-rating alert to the office's staff (an outbox renderer)
    report.py    numbers for staff: responses, averages, low ratings, comments, weeks
    charts.py    the results chart (matplotlib, PNG)
    export.py    CSV / XLSX files with one row per response and a summary
    poster.py    the print-ready poster with the QR code(s) (segno + matplotlib)
"""
