"""The ``python -m microgradnn exercises ...`` command (students and teachers).

>>> exercises_main(["list"])  # doctest: +ELLIPSIS
chain_rule ...
0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

USAGE = """\
students:
  exercises list                       one exercise per line, in lecture order
  exercises show NAME                  the instructions
  exercises start NAME [DIR]           write the starter file NAME.py into DIR (default .)
  exercises check NAME [FILE]          check your file (default ./NAME.py); exit 0 when right
teachers:
  exercises export DIR                 starter files + instructions for students (no solutions)
  exercises grade FOLDER [--out DIR]   grade FOLDER/<student>/<exercise>.py into one report
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m microgradnn exercises",
        description="Exercises that check themselves, one (or more) per lecture section.",
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("list", help="list the exercises")
    show = sub.add_parser("show", help="print an exercise's instructions")
    show.add_argument("name")
    start = sub.add_parser("start", help="write the starter file")
    start.add_argument("name")
    start.add_argument("dir", nargs="?", default=".")
    start.add_argument("--force", action="store_true", help="overwrite an existing file")
    check = sub.add_parser("check", help="check your solution")
    check.add_argument("name")
    check.add_argument("file", nargs="?")
    check.add_argument("--pictures", metavar="DIR", help="folder for feedback pictures")
    check.add_argument("--timeout", type=float, default=None, help="seconds (default 10)")
    export = sub.add_parser("export", help="write the student versions of all exercises")
    export.add_argument("dir")
    grade = sub.add_parser("grade", help="grade a folder of submissions into one report")
    grade.add_argument("folder")
    grade.add_argument("--out", default=None, help="report folder (default FOLDER/report)")
    grade.add_argument("--timeout", type=float, default=None)
    grade.add_argument("--jobs", type=int, default=4, help="checks run in parallel")
    return parser


def exercises_main(argv=None) -> int:
    """Entry point of ``python -m microgradnn exercises``; returns the exit code."""
    from microgradnn import exercises

    args = _parser().parse_args(argv)
    try:
        if args.action == "list":
            for exercise in exercises.all_exercises():
                print(f"{exercise.name:22} {exercise.section:2}  {exercise.title}")
            return 0
        if args.action == "show":
            print(exercises.get_exercise(args.name).text())
            return 0
        if args.action == "start":
            path = exercises.start(args.name, args.dir, overwrite=args.force)
            print(f"wrote {path}: fill in the TODOs, then run")
            print(f"  python -m microgradnn exercises check {args.name} {path}")
            return 0
        if args.action == "check":
            return _check(exercises, args)
        if args.action == "export":
            from microgradnn.exercises.teacher import export_student_versions

            folder = export_student_versions(args.dir)
            print(f"wrote the student versions to {folder} (no solutions inside)")
            return 0
        from microgradnn.exercises.teacher import grade_folder

        report = grade_folder(args.folder, args.out, timeout=args.timeout, jobs=args.jobs)
        print(f"graded {report.submissions} submission(s): {report.html} and {report.csv}")
        return 0
    except (KeyError, FileExistsError, FileNotFoundError) as error:
        message = error.args[0] if error.args else str(error)
        print(f"error: {message}", file=sys.stderr)
        return 2


def _check(exercises, args) -> int:
    import tempfile

    name = exercises.get_exercise(args.name).name
    path = Path(args.file) if args.file else Path(f"{name}.py")
    pictures = args.pictures or tempfile.mkdtemp(prefix="microgradnn-feedback-")
    feedback = exercises.check(name, path, timeout=args.timeout, picture_dir=pictures)
    print(feedback.text())
    return 0 if feedback.passed else 1
