"""Small StratML documents written for these tests (none is copied from a real plan).

The namespaces come from ``app.stratml.schemas`` so each appears once in the code base.
"""

from __future__ import annotations

from app.stratml.schemas import PART1_ISO, PART1_LEGACY, PART2_2016, PART2_LEGACY

# Part 1, ISO namespace, with a "stratml:" prefix: every optional part present, plus things Planwright
# has no field for (an acronym, stakeholders, the submitter).
ISO_PART1_PREFIXED = f"""<?xml version="1.0" encoding="UTF-8"?>
<stratml:StrategicPlan xmlns:stratml="{PART1_ISO}">
  <stratml:Name>Harbour City Digital Plan 2026–2029</stratml:Name>
  <stratml:Description>How Harbour City will run its services online.</stratml:Description>
  <stratml:StrategicPlanCore>
    <stratml:Organization>
      <stratml:Name>Harbour City Department of Innovation</stratml:Name>
      <stratml:Acronym>HCDI</stratml:Acronym>
      <stratml:Stakeholder StakeholderTypeType="Generic_Group">
        <stratml:Name>Residents of Harbour City</stratml:Name>
      </stratml:Stakeholder>
    </stratml:Organization>
    <stratml:Vision><stratml:Description>A city that answers the first time.</stratml:Description></stratml:Vision>
    <stratml:Mission>
      <stratml:Description>We build and run the city's digital services.</stratml:Description>
    </stratml:Mission>
    <stratml:Value>
      <stratml:Name>Openness</stratml:Name><stratml:Description>We publish what we decide.</stratml:Description>
    </stratml:Value>
    <stratml:Value><stratml:Name>Thrift</stratml:Name></stratml:Value>
    <stratml:Goal>
      <stratml:Name>Services online</stratml:Name>
      <stratml:Description>Every common request can be made online.</stratml:Description>
      <stratml:SequenceIndicator>1</stratml:SequenceIndicator>
      <stratml:Stakeholder><stratml:Name>Service desk staff</stratml:Name></stratml:Stakeholder>
      <stratml:Objective>
        <stratml:Name>Online permits</stratml:Name>
        <stratml:Description>Building permits applied for online.</stratml:Description>
        <stratml:SequenceIndicator>1.1</stratml:SequenceIndicator>
      </stratml:Objective>
      <stratml:Objective>
        <stratml:Name>Online payments</stratml:Name>
        <stratml:SequenceIndicator>1.2</stratml:SequenceIndicator>
      </stratml:Objective>
    </stratml:Goal>
    <stratml:Goal>
      <stratml:Name>Safe systems</stratml:Name>
      <stratml:Description>Systems that stay up and keep data safe.</stratml:Description>
    </stratml:Goal>
  </stratml:StrategicPlanCore>
  <stratml:AdministrativeInformation>
    <stratml:StartDate>2025-07-01</stratml:StartDate>
    <stratml:EndDate>2029-06-30</stratml:EndDate>
    <stratml:Submitter><stratml:GivenName>Pat</stratml:GivenName><stratml:Surname>Example</stratml:Surname></stratml:Submitter>
  </stratml:AdministrativeInformation>
</stratml:StrategicPlan>
"""

# Part 2 (2016), default namespace: a performance report with indicators.
PART2_DEFAULT_NAMESPACE = f"""<?xml version="1.0" encoding="UTF-8"?>
<PerformancePlanOrReport xmlns="{PART2_2016}" Type="Performance_Report">
  <Name>Harbour City Performance Report</Name>
  <StrategicPlanCore>
    <Goal>
      <Name>Services online</Name>
      <Description></Description>
      <SequenceIndicator>S1</SequenceIndicator>
      <Objective>
        <Name>Online permits</Name>
        <SequenceIndicator>S1.1</SequenceIndicator>
        <PerformanceIndicator PerformanceIndicatorType="Quantitative">
          <MeasurementDimension>Permits applied for online</MeasurementDimension>
          <UnitOfMeasurement>%</UnitOfMeasurement>
          <Relationship><Name>Related to the payments measure</Name></Relationship>
          <MeasurementInstance>
            <ActualResult>
              <EndDate>2024-06-30</EndDate><NumberOfUnits>40</NumberOfUnits>
              <Descriptor><DescriptorName>Baseline</DescriptorName></Descriptor>
            </ActualResult>
          </MeasurementInstance>
          <MeasurementInstance>
            <ActualResult>
              <EndDate>2024-12-31</EndDate><NumberOfUnits>47.5</NumberOfUnits><Description>Half year</Description>
            </ActualResult>
          </MeasurementInstance>
          <MeasurementInstance>
            <TargetResult><EndDate>2026-06-30</EndDate><NumberOfUnits>60</NumberOfUnits></TargetResult>
            <TargetResult><EndDate>2028-06-30</EndDate><NumberOfUnits>90</NumberOfUnits></TargetResult>
          </MeasurementInstance>
        </PerformanceIndicator>
        <PerformanceIndicator>
          <MeasurementDimension>Resident satisfaction</MeasurementDimension>
          <UnitOfMeasurement>score</UnitOfMeasurement>
        </PerformanceIndicator>
      </Objective>
    </Goal>
  </StrategicPlanCore>
</PerformancePlanOrReport>
"""

# Part 1 in the pre-ISO namespace (FirstName/LastName instead of GivenName/Surname).
LEGACY_PART1 = f"""<?xml version="1.0" encoding="UTF-8"?>
<StrategicPlan xmlns="{PART1_LEGACY}">
  <Name>County Records Plan</Name>
  <StrategicPlanCore>
    <Mission><Description>Keep the county's records safe and findable.</Description></Mission>
    <Goal>
      <Name>Digitise the archive</Name>
      <Description>All paper records scanned.</Description>
      <Objective><Name>Scan the deeds</Name></Objective>
    </Goal>
  </StrategicPlanCore>
  <AdministrativeInformation>
    <StartDate>2012-01-01</StartDate>
    <EndDate>2014-12-31</EndDate>
    <Submitter><FirstName>Lee</FirstName><LastName>Example</LastName></Submitter>
  </AdministrativeInformation>
</StrategicPlan>
"""

# Part 2 in the pre-ISO namespace, with a prefix (results start with their Description there).
LEGACY_PART2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<p:PerformancePlanOrReport xmlns:p="{PART2_LEGACY}" Type="Performance_Plan">
  <p:Name>County Records Performance Plan</p:Name>
  <p:StrategicPlanCore>
    <p:Goal>
      <p:Name>Digitise the archive</p:Name>
      <p:Description>All paper records scanned.</p:Description>
      <p:Objective>
        <p:Name>Scan the deeds</p:Name>
        <p:PerformanceIndicator>
          <p:MeasurementDimension>Deeds scanned</p:MeasurementDimension>
          <p:UnitOfMeasurement>count</p:UnitOfMeasurement>
          <p:MeasurementInstance>
            <p:TargetResult>
              <p:Description>All of them</p:Description><p:NumberOfUnits>5000</p:NumberOfUnits>
              <p:EndDate>2014-12-31</p:EndDate>
            </p:TargetResult>
            <p:ActualResult>
              <p:Description>Start</p:Description><p:NumberOfUnits>0</p:NumberOfUnits><p:EndDate>2012-01-01</p:EndDate>
            </p:ActualResult>
            <p:ActualResult>
              <p:Description>Year one</p:Description><p:NumberOfUnits>1800</p:NumberOfUnits>
              <p:EndDate>2012-12-31</p:EndDate>
            </p:ActualResult>
          </p:MeasurementInstance>
        </p:PerformanceIndicator>
      </p:Objective>
    </p:Goal>
  </p:StrategicPlanCore>
</p:PerformancePlanOrReport>
"""

# Only what the schema requires: no description, organization, vision, dates or objectives.
MINIMAL_PART1 = f"""<StrategicPlan xmlns="{PART1_ISO}"><Name>Bare plan</Name>
<StrategicPlanCore><Goal><Name>One goal</Name><Description/></Goal></StrategicPlanCore></StrategicPlan>"""

# Readable but not valid: Goal children out of order, an element StratML does not have, an Objective
# with an unknown child, and a Goal with no Description.
NOT_VALID_BUT_READABLE = f"""<StrategicPlan xmlns="{PART1_ISO}">
  <StrategicPlanCore>
    <Goal>
      <Description>Fewer outages.</Description>
      <Name>Reliable systems</Name>
      <Budget>2000000</Budget>
      <Objective><Name>Second data centre</Name><Colour>blue</Colour></Objective>
    </Goal>
    <Goal><Name>Skilled staff</Name></Goal>
  </StrategicPlanCore>
  <Name>Plan with mistakes</Name>
</StrategicPlan>"""

BROKEN = f"""<StrategicPlan xmlns="{PART1_ISO}"><Name>Cut off half way<StrategicPlanCore><Goal>"""

NOT_XML = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"

WRONG_ROOT = """<OrganizationalStrategyDocument><Name>Not a StratML plan</Name></OrganizationalStrategyDocument>"""

HTML_PAGE = """<html><head><title>A web page</title></head><body><p>Hello</p></body></html>"""

ENTITY_BOMB = f"""<?xml version="1.0"?>
<!DOCTYPE StrategicPlan [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<StrategicPlan xmlns="{PART1_ISO}"><Name>&f;</Name>
<StrategicPlanCore><Goal><Name>&f;</Name><Description/></Goal></StrategicPlanCore></StrategicPlan>"""


def external_entity(canary_path: str) -> str:
    """A document whose Name would be the content of a local file, if entities were resolved."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE StrategicPlan [<!ENTITY secret SYSTEM "file://{canary_path}">]>
<StrategicPlan xmlns="{PART1_ISO}"><Name>&secret;</Name>
<StrategicPlanCore><Goal><Name>&secret;</Name><Description/></Goal></StrategicPlanCore></StrategicPlan>"""


def oversized(size: int) -> bytes:
    """A well-formed, valid Part 1 document of just over ``size`` bytes (values of 64 KB each)."""
    head = f'<StrategicPlan xmlns="{PART1_ISO}"><Name>Huge</Name><StrategicPlanCore>'
    tail = "<Goal><Name>G</Name><Description/></Goal></StrategicPlanCore></StrategicPlan>"
    value = "<Value><Description>" + "x" * 65_536 + "</Description></Value>"
    count, rest = divmod(size + 1 - len(head) - len(tail), len(value))
    filler = "<Value><Description>" + "y" * max(rest - 42, 0) + "</Description></Value>" if rest else ""
    return (head + value * count + filler + tail).encode()


VALID = {
    "iso part 1, prefixed": (ISO_PART1_PREFIXED, PART1_ISO),
    "2016 part 2, default namespace": (PART2_DEFAULT_NAMESPACE, PART2_2016),
    "legacy part 1": (LEGACY_PART1, PART1_LEGACY),
    "legacy part 2, prefixed": (LEGACY_PART2, PART2_LEGACY),
    "minimal part 1": (MINIMAL_PART1, PART1_ISO),
}
