"""The .xlsx rows read with calamine are exactly the rows openpyxl's reading gives; doubtful files go to openpyxl."""
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook

from core.dataio.import_read import Table, check_table, open_table


def _book(tmp_path, rows, name="book.xlsx", tweak=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "Контакты"
    for row in rows:
        sheet.append(row)
    if tweak:
        tweak(sheet)
    path = tmp_path / name
    book.save(path)
    return path


def _both(path):
    """(rows read the way open_table chose, the same rows read by openpyxl, the reader chosen)."""
    table = open_table(path)
    chosen = list(table.rows())
    plain = Table(path, "xlsx", table.headers, sheet=table.sheet, sheets=table.sheets)
    return chosen, list(plain.rows()), table.reader


def _mixed_rows(count=300):
    rows = [["Фамилия", "Имя", "Счёт", "Сумма", "Дата", "Момент", "Пусто", "Флаг"]]
    for i in range(count):
        rows.append([f"Иванов {i}", f"  Name {i} " if i % 7 else None, i * 1000 + 7, i / 8 + 0.1,
                     date(2020, 1, 1) + timedelta(days=i), datetime(2021, 5, 6, 7, 8, 9) + timedelta(hours=i),
                     None, bool(i % 2)])
        if i % 50 == 0:
            rows.append([None] * 8)  # a blank row between
    rows.append([None, None, 12345.0, -0.5, None, None, None, None])
    return rows


def test_calamine_reads_the_same_values_as_openpyxl(tmp_path):
    path = _book(tmp_path, _mixed_rows())
    chosen, plain, reader = _both(path)
    assert reader == "calamine"
    assert chosen == plain
    assert len(chosen) == 301
    first = chosen[0][1]
    assert first[:4] == ["Иванов 0", None, 7, 0.1] and type(first[2]) is int
    assert type(first[4]) is datetime and first[4] == datetime(2020, 1, 1)
    assert chosen[-1][1][2] == 12345 and type(chosen[-1][1][2]) is int
    assert [number for number, _ in chosen][:3] == [2, 4, 5]  # file row numbers, the blank row 3 left out


def test_header_and_rows_starting_off_the_corner(tmp_path):
    def shift(sheet):
        sheet.insert_cols(1, 2)

    path = _book(tmp_path, _mixed_rows(20), tweak=shift)
    chosen, plain, reader = _both(path)
    assert reader == "calamine"
    assert open_table(path).headers[:3] == ["", " (2)", "Фамилия"]
    assert chosen == plain


def test_a_value_calamine_may_read_otherwise_goes_on_with_openpyxl(tmp_path):
    rows = _mixed_rows(40)
    rows[30][5] = time(12, 30)  # a time, and later a number beyond 2**53 and a date of 1900
    rows[35][2] = 2 ** 60 + 1
    rows[36][4] = date(1900, 2, 1)
    path = _book(tmp_path, rows)
    chosen, plain, reader = _both(path)
    assert reader == "calamine"
    assert chosen == plain
    assert time(12, 30) in chosen[28][1] and date(1900, 2, 1) not in chosen[34][1]


def test_formulas_merged_cells_and_empty_text_are_read_by_openpyxl(tmp_path):
    def formula(sheet):
        sheet["C3"] = "=C2*2"

    def merged(sheet):
        sheet.merge_cells("A5:B5")

    for tweak in (formula, merged):
        path = _book(tmp_path, _mixed_rows(10), name=f"{tweak.__name__}.xlsx", tweak=tweak)
        table = None
        try:
            table = open_table(path)
        except Exception:  # merged cells: openpyxl's own message
            assert tweak is merged
            continue
        assert table.reader == "openpyxl", tweak.__name__
        if tweak is formula:
            try:
                check_table(table, 1000, 1000)
            except Exception as problem:  # noqa: BLE001
                assert "C3" in str(problem)
            else:
                raise AssertionError("the formula was not reported")


_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd.mm.yyyy hh:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
}


def _excel_like(tmp_path, strings: str, cells: str, name="excel.xlsx"):
    """A workbook laid out as Excel writes one: shared strings (with rich text) and styled date cells."""
    import zipfile

    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for part, text in _PARTS.items():
            archive.writestr(part, text)
        archive.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns='
                         '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + "</sst>")
        archive.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                         '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + cells + "</sheetData></worksheet>")
    return path


def test_shared_strings_rich_text_and_styled_dates_as_excel_writes_them(tmp_path):
    strings = ('<si><t>Имя</t></si><si><t>Дата</t></si><si><t>Сумма</t></si>'
               '<si><r><t xml:space="preserve">Пётр </t></r><r><rPr><b/></rPr><t xml:space="preserve">Иванов </t></r></si><si><t>x</t></si>')
    cells = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
             '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>45300</v></c><c r="C2"><v>1234567</v></c></row>'
             '<row r="4"><c r="A4" t="s"><v>4</v></c><c r="B4" s="2"><v>45300.5</v></c><c r="C4"><v>0.1</v></c>'
             '<c r="D4" t="b"><v>1</v></c></row>')
    chosen, plain, reader = _both(_excel_like(tmp_path, strings, cells))
    assert reader == "calamine"
    assert chosen == plain == [(2, ["Пётр Иванов", datetime(2024, 1, 9), 1234567]), (4, ["x", datetime(2024, 1, 9, 12), 0.1])]
    # An escape, or a run's edge space not marked to be kept (calamine trims it, openpyxl keeps it): openpyxl reads.
    for name, changed in (("escaped", strings.replace("<t>x</t>", "<t>a_x000D_b</t>")),
                          ("spaced", strings.replace('<t xml:space="preserve">Пётр </t>', "<t>Пётр </t>"))):
        chosen, plain, reader = _both(_excel_like(tmp_path, changed, cells, name=f"{name}.xlsx"))
        assert reader == "openpyxl", name
        assert chosen == plain and chosen[0][1][0] == ("Пётр Иванов" if name == "spaced" else chosen[0][1][0])


def test_each_doubtful_piece_of_xml_is_found_wherever_it_sits():
    """The scan's checks find every doubtful snippet in the sheet's or strings' XML, and nothing in plain cells."""
    from core.dataio.import_calamine import _SHEET_UNSURE, _STRINGS_UNSURE, _found

    plain = (b'<row r="2"><c r="A2" t="inlineStr"><is><t>Ivanov</t></is></c><c r="B2" t="s"><v>3</v></c>'
             b'<c r="C2"><v>1.5</v></c><c r="D2" t="inlineStr"><is><t xml:space="preserve">Name </t></is></c></row>')
    sheet_only = [b'<c r="A3"><f>B3*2</f><v>4</v></c>', b'<mergeCell ref="A1:B1"/>', b'<c r="A3" t="e"><v>#N/A</v></c>',
                  b'<c r="A3"\nt="d"><v>2024-01-01</v></c>']
    both = [b"<t/>", b'<t xml:space="preserve"/>', b"<t></t>", b"<t>a_x000D_b</t>", b"<t> Name</t>", b"<t>Name </t>",
            b"<t>Name\t</t>", b"<t>Name\n</t>"]
    assert not _found(_SHEET_UNSURE, plain * 50) and not _found(_STRINGS_UNSURE, plain * 50)
    for snippet in sheet_only + both:
        assert _found(_SHEET_UNSURE, plain * 20 + snippet + plain * 20), snippet
    for snippet in both + [b"<rPh sb=\"0\"><t>x</t></rPh>"]:
        assert _found(_STRINGS_UNSURE, plain + snippet + plain), snippet


def test_the_rows_come_from_the_sheet_loaded_for_the_header(tmp_path, monkeypatch):
    """calamine parses a whole sheet to load it: a workbook kept open for the rows is not parsed a second time."""
    from core.dataio import import_calamine

    calls = []
    original = import_calamine.sheet_rows

    def spy(workbook, name, loaded=None, clean=None):
        calls.append(loaded is not None)
        return original(workbook, name, loaded, clean)

    monkeypatch.setattr(import_calamine, "sheet_rows", spy)
    path = _book(tmp_path, _mixed_rows(30))
    table = open_table(path, keep_open=True)
    rows = list(table.rows())
    assert table.reader == "calamine" and len(rows) == 31
    assert calls == [True, True], "the header and the rows read one loaded sheet"
    again = list(open_table(path).rows())  # a table not kept open loads its sheet for the rows
    assert again == rows and calls[-1] is False
