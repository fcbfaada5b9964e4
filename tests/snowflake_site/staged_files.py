"""What Snowflake does with staged files and fakesnow 0.12.1 does not, taught to the stand-in's server
(tests/snowflake.py serves `app` from here): as much as target-snowflake's loads need, each as Snowflake's
documentation describes it.

- The user stage `@~[/path]`: each user has one by default, not a database object (docs.snowflake.com:
  user-guide/data-load-local-file-system-create-stage). It is made at the user's login, as an internal
  stage of fakesnow's under USER_STAGES, a catalog no database has.
- A stage location in single quotes, `'@~/path'`, which PUT, REMOVE and queries take for names with special
  characters (sql-reference/sql/put, sql-reference/sql/remove): read as the unquoted location.
- LIST @~, a whole user stage, as fakesnow lists a named stage.
- Querying staged files (user-guide/querying-stage): `SELECT $1:element … FROM <location> (FILE_FORMAT =>
  name) [alias]`, also as the source of a MERGE. JSON files only: `$1` is each value as a VARIANT. SEQ8()
  numbers the rows in the order they are read (sql-reference/functions/seq1: monotonically increasing).
- REMOVE / RM <location> (sql-reference/sql/remove): deletes the stage's files whose path starts with the
  location's path and answers a row per file, `name` and `result` ('removed'). Not its PATTERN.
- DROP FILE FORMAT [IF EXISTS] <name> (sql-reference/sql/drop-file-format).
- MERGE of qualified tables in a session with no current schema (sql-reference/sql/merge).
"""

from __future__ import annotations

import gzip
import json
import os
import re
from typing import Any
from weakref import WeakKeyDictionary

import fakesnow.conn
import snowflake.connector.errors
from fakesnow.conn import FakeSnowflakeConnection
from fakesnow.copy_into import stage_url_from_var
from fakesnow.cursor import FakeSnowflakeCursor
from fakesnow.dialect import parse_one
from fakesnow.server import login_request as fakesnow_login
from fakesnow.server import routes, sessions
from fakesnow.transforms import stage
from fakesnow.transforms.file_format import lookup_file_format
from sqlglot import exp
from sqlglot.errors import ParseError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

USER_STAGES = "_FS_USER_STAGES"
USER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
STAGED_VALUE = "$1"  # the column a JSON file's values are read into, named as Snowflake's queries name it
SEQUENCE = "STAGED$SEQ8"  # the values SEQ8() takes over the staged rows
LOCATION = re.compile(r"\s*('(?:[^']|'')*'|\S+)\s*(.*)", re.DOTALL)  # REMOVE's location, then what follows
_users: WeakKeyDictionary[FakeSnowflakeConnection, str] = WeakKeyDictionary()


def error(message: str, errno: int = 1003, sqlstate: str = "42000") -> snowflake.connector.errors.ProgrammingError:
    message = f"SQL compilation error:\n{message}"
    return snowflake.connector.errors.ProgrammingError(msg=message, errno=errno, sqlstate=sqlstate)


class StagedFilesCursor(FakeSnowflakeCursor):
    """fakesnow's cursor, with the statements above read before it sees them."""

    def execute(self, command: str, params: Any = None, *args: Any, **kwargs: Any) -> FakeSnowflakeCursor:
        try:
            statement = parse_one(command)
        except ParseError:
            return super().execute(command, params, *args, **kwargs)  # fakesnow's own syntax error
        if isinstance(statement, exp.Command) and statement.name.upper() in {"REMOVE", "RM"}:
            return self._remove(statement.expression.name)
        if isinstance(statement, exp.Drop) and statement.args.get("kind") == "FILE FORMAT":
            return self._drop_file_format(statement)
        if self._teach(statement):
            command = statement.sql(dialect="snowflake")
        if not (isinstance(statement, exp.Merge) and self._conn.schema is None):
            return super().execute(command, params, *args, **kwargs)
        # fakesnow merges through a temporary table whose creation asks for a current schema; Snowflake
        # needs none for qualified names (target-snowflake's sessions have a database only)
        self._conn._schema = statement.this.db or None
        try:
            return super().execute(command, params, *args, **kwargs)
        finally:
            self._conn._schema = None

    def _location(self, location: str) -> str:
        """A location, quoted or not, as fakesnow's stages take it: unquoted, `@~` as the user's stage."""
        if location.startswith("'") and location.endswith("'"):
            location = location[1:-1].replace("''", "'")
        if not location.startswith("@"):
            raise error(f"{location} does not start with @")
        if location == "@~" or location.startswith("@~/"):
            return f"@{USER_STAGES}.{_users[self._conn]}.STAGE{location[2:]}"
        return location

    def _stage_files(self, location: str) -> tuple[str, list[str]]:
        """The directory of a location's stage, and the files under the location's path in name order."""
        var, _, path = self._location(location)[1:].partition("/")
        catalog, schema, name = stage.parts_from_var(var, self._conn.database, self._conn.schema)
        owner = exp.table_(name[1:], db=schema, catalog=catalog)  # a table stage is read for its own table
        root = stage_url_from_var(
            var, self._duck_conn, self._conn.database, self._conn.schema, self._conn.table_stages, owner
        )
        if not stage.is_internal(root):
            raise error(f"the stand-in reads files of internal stages only, not {location}")
        listed = self._duck_conn.execute(stage.internal_files_sql(f"{root.rstrip('/')}/{path}")).fetchall()
        return root, sorted(file for (file,) in listed)

    def _teach(self, statement: exp.Expr) -> bool:
        """Rewrites, in place, the staged locations fakesnow cannot read; whether there were any."""
        taught = False
        for put in statement.find_all(exp.Put):
            put.set("target", exp.var(self._location(put.args["target"].name)))
            taught = True
        for listing in statement.find_all(exp.ListStage):
            listing.set("this", exp.var(self._location(listing.this.name)))
            taught = True
        for table in list(statement.find_all(exp.Table)):
            location = table.this
            if not (isinstance(location, (exp.Literal, exp.Var)) and location.name.startswith(("@", "'@"))):
                continue
            if table.find_ancestor(exp.Copy):
                table.set("this", exp.var(self._location(location.name)))  # fakesnow's COPY reads the rest
            else:
                self._read_staged(table)
            taught = True
        return taught

    def _read_staged(self, table: exp.Table) -> None:
        """`FROM <location> (FILE_FORMAT => f)` as a derived table of the files' values, with `$1` and SEQ8()
        of the SELECT as its columns. A QUALIFY, which may name the SELECT's aliases, is applied around it."""
        select = table.find_ancestor(exp.Select)
        file_format = table.args.get("format")
        if select is None or file_format is None:
            raise error("the stand-in reads staged files in a SELECT with (FILE_FORMAT => name)")
        options = lookup_file_format(
            self._duck_conn, file_format.sql(dialect="snowflake"), self._conn.database, self._conn.schema
        )
        if str(options.get("TYPE")).upper() != "JSON":
            raise error(f"the stand-in reads staged JSON files only, not {options.get('TYPE')}")
        _, files = self._stage_files(table.this.name)
        paths = ", ".join(exp.Literal.string(file).sql() for file in files)
        values = (
            # qualified: fakesnow asks a name of every table a session without a current schema reads
            f'SELECT json AS "{STAGED_VALUE}", ROW_NUMBER() OVER () AS {SEQUENCE}'
            f" FROM system.main.read_json_objects([{paths}])"
            if files
            else f'SELECT NULL::VARIANT AS "{STAGED_VALUE}", 0 AS {SEQUENCE} WHERE FALSE'
        )
        table.replace(parse_one(values).subquery(table.alias or "STAGED"))
        for parameter in list(select.find_all(exp.Parameter)):
            if parameter.name == "1":
                parameter.replace(exp.column(exp.to_identifier(STAGED_VALUE, quoted=True)))
        for seq8 in list(select.find_all(exp.Seq8)):
            seq8.replace(exp.column(SEQUENCE))
        if qualify := select.args.get("qualify"):
            select.set("qualify", None)
            inner = select.copy().select(exp.column(SEQUENCE))
            outer = exp.select(*(exp.column(e.alias_or_name) for e in select.expressions)).from_(
                inner.subquery("STAGED_ROWS")
            )
            outer.set("qualify", qualify)
            select.replace(outer)

    def _remove(self, argument: str) -> FakeSnowflakeCursor:
        match = LOCATION.fullmatch(argument)
        if not match:
            raise error("REMOVE needs a stage location")
        location, rest = match.groups()
        if rest:
            raise error(f"the stand-in's REMOVE takes a location only, not {rest}")
        root, files = self._stage_files(location)
        for file in files:
            os.remove(file)
        if not files:
            return super().execute('SELECT NULL::VARCHAR AS "name", NULL::VARCHAR AS "result" WHERE FALSE')
        names = ", ".join(f"({exp.Literal.string(os.path.relpath(file, root)).sql()}, 'removed')" for file in files)
        return super().execute(f'SELECT column1 AS "name", column2 AS "result" FROM VALUES {names}')

    def _drop_file_format(self, statement: exp.Drop) -> FakeSnowflakeCursor:
        (name,) = statement.args["tables"]
        catalog, schema = name.catalog or self._conn.database, name.db or self._conn.schema
        with self._duck_conn.cursor() as metadata:  # as fakesnow creates them: outside the caller's transaction
            row = metadata.execute(
                "DELETE FROM _fs_global._fs_information_schema._fs_file_formats"
                " WHERE database_name = ? AND schema_name = ? AND name = ?",
                (catalog, schema, name.name),
            ).fetchone()
        if row and row[0]:
            return super().execute(f"SELECT '{name.name} successfully dropped.' AS \"status\"")
        if statement.args.get("exists"):
            dropped = f"Drop statement executed successfully ({name.name} already dropped)."
            return super().execute(f"SELECT '{dropped}' AS \"status\"")
        raise error(f"File format '{name.name}' does not exist or not authorized.", 2003, "02000")


async def login_request(request: Request) -> Response:
    """fakesnow's login; then, on the user's first, the user's stage."""
    response = await fakesnow_login(request)
    body = await request.body()  # starlette keeps what it read
    if request.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    user = json.loads(body)["data"]["LOGIN_NAME"]
    if not USER_NAME.fullmatch(user):
        message = f"the stand-in's user stages take plain user names, not {user!r}"
        return JSONResponse({"data": None, "code": "390100", "message": message, "success": False})
    connection = sessions[json.loads(bytes(response.body))["data"]["token"]]
    _users[connection] = user.upper()
    connection.cursor().execute(f"CREATE STAGE IF NOT EXISTS {USER_STAGES}.{user.upper()}.STAGE")
    return response


fakesnow.conn.FakeSnowflakeCursor = StagedFilesCursor  # the server's sessions make their cursors here
app = Starlette(
    debug=True,
    routes=[
        Route(route.path, login_request, methods=["POST"]) if route.path == "/session/v1/login-request" else route
        for route in routes
    ],
)
