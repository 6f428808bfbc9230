"""The instructor's room: what a teacher runs and a student never needs.

Student editions (:mod:`.release`, with :mod:`.solution_scan` and :mod:`.vcs` guarding what ships), the nbgrader
course (:mod:`.nbgrader_course`, :mod:`.assignment`, :mod:`.exchange`, :mod:`.grades`), autograding untrusted submissions (:mod:`.autograde`, run in the
jail of :mod:`tito_jupyter.engine.sandbox` by :mod:`.grading_kernel`), and the class as the gradebook sees it
(:mod:`.class_view`). The student's operations (export, test, complete, progress) live one floor up, in
:mod:`tito_jupyter.engine`; nothing there imports this room.
"""
