"""JUnit XML for a gate run: one testcase per view and check."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from perfkit.gate.findings import GateResult


def render(result: GateResult) -> str:
    suite = ET.Element(
        "testsuite",
        name="perfkit gate",
        tests=str(len(result.findings)),
        failures=str(len(result.failed)),
        skipped=str(sum(f.skipped for f in result.findings)),
    )
    for finding in result.findings:
        case = ET.SubElement(suite, "testcase", classname=finding.view, name=finding.check)
        location = finding.location()
        if location:
            case.set("file", location[0])
            case.set("line", str(location[1]))
        if finding.skipped:
            ET.SubElement(case, "skipped", message=finding.message)
        elif not finding.passed:
            failure = ET.SubElement(case, "failure", message=finding.message)
            failure.text = finding.message + (
                f"\nat {finding.callsite}" if finding.callsite else ""
            )
        else:
            ET.SubElement(case, "system-out").text = finding.message
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
