# cli_test.cmake - every command answers --help with exit 0, bad usage gives exit 2,
# a missing file exit 3. Run with -DEDIGATE=path/to/edigate.
foreach(cmd "" validate parse codes ack directory "directory|show" "directory|list" schemas translate diff run status track check-config queue "queue|list" resend replay)
  string(REPLACE "|" ";" args "${cmd}")
  execute_process(COMMAND ${EDIGATE} ${args} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "Usage" OR (cmd MATCHES "show" AND NOT out MATCHES "VERSION"))
    message(FATAL_ERROR "edigate ${cmd} --help: exit ${rc}\n${out}")
  endif()
endforeach()
execute_process(COMMAND ${EDIGATE} validate --no-such-flag x RESULT_VARIABLE rc ERROR_QUIET OUTPUT_QUIET)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "unknown flag: expected exit 2, got ${rc}")
endif()
execute_process(COMMAND ${EDIGATE} validate /nonexistent/file.edi RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 3 OR NOT err MATCHES "no such file")
  message(FATAL_ERROR "missing file: expected exit 3 and 'no such file', got ${rc}: ${err}")
endif()

# Hostile bytes: the JSON report must still be valid JSON (invalid UTF-8 is replaced, never fatal),
# and standard input works like a file.
string(ASCII 195 40 200 hostile)
set(tmp "${CMAKE_CURRENT_BINARY_DIR}/cli_hostile.edi")
file(WRITE ${tmp} "UNB+UNOY:4+S+R+20200101:1200+A'UNH+1+X:D:96A:UN'${hostile}+1'FTX+${hostile}'UNT+4+1'UNZ+1+A'")
execute_process(COMMAND ${EDIGATE} validate --json - INPUT_FILE ${tmp} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "hostile input: expected exit 1, got ${rc}: ${err}")
endif()
string(JSON errors ERROR_VARIABLE jerr GET "${out}" summary errors)
if(jerr OR errors LESS 1)
  message(FATAL_ERROR "hostile input: report is not valid JSON or counts no error (${jerr}):\n${out}")
endif()
string(JSON name GET "${out}" files 0 file)
if(NOT name STREQUAL "<stdin>")
  message(FATAL_ERROR "stdin input should be reported as <stdin>, got ${name}")
endif()
file(REMOVE ${tmp})

# ack: bad values are usage errors, a missing file is an I/O failure, and a CONTRL written for a
# defective interchange is read back by --inbound as what it says.
foreach(bad "--date;2611;--time;1200" "--date;261127" "--reference;ABCDEFGHIJKLMNO" "--json")
  execute_process(COMMAND ${EDIGATE} ack ${bad} ${CMAKE_CURRENT_LIST_DIR}/../../../samples/mistake-unt-count.edi
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "edigate ack ${bad}: expected exit 2, got ${rc}")
  endif()
endforeach()
execute_process(COMMAND ${EDIGATE} ack /nonexistent/file.edi RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 3)
  message(FATAL_ERROR "edigate ack on a missing file: expected exit 3, got ${rc}")
endif()
set(contrl "${CMAKE_CURRENT_BINARY_DIR}/cli_ack.contrl")
execute_process(COMMAND ${EDIGATE} ack --date 261127 --time 1200 --reference ACK1 -o ${contrl}
                        ${CMAKE_CURRENT_LIST_DIR}/../../../samples/mistake-unt-count.edi
                RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_QUIET)
if(NOT rc EQUAL 1 OR NOT report MATCHES "rejected")
  message(FATAL_ERROR "edigate ack on a wrong UNT count: expected exit 1 and a rejection, got ${rc}: ${report}")
endif()
execute_process(COMMAND ${EDIGATE} ack --inbound --json ${contrl} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
string(JSON verdict ERROR_VARIABLE jerr GET "${out}" files 0 acknowledgements 0 messages 0 verdict)
if(NOT rc EQUAL 1 OR jerr OR NOT verdict STREQUAL "rejected")
  message(FATAL_ERROR "edigate ack --inbound: expected exit 1 and a rejected message, got ${rc} (${jerr}):\n${out}")
endif()
execute_process(COMMAND ${EDIGATE} ack --date 261127 --time 1200 -o ${contrl} ${CMAKE_CURRENT_LIST_DIR}/../../../samples/cuscar-d96a-manifest.edi
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
execute_process(COMMAND ${EDIGATE} ack --inbound ${contrl} RESULT_VARIABLE rc2 OUTPUT_VARIABLE out ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT rc2 EQUAL 0 OR NOT out MATCHES ": accepted")
  message(FATAL_ERROR "edigate ack on a valid sample: expected exits 0 and 0 and 'accepted', got ${rc}, ${rc2}:\n${out}")
endif()
file(REMOVE ${contrl})

# Directories: what edigate read, as an operator checks it against the UN page.
execute_process(COMMAND ${EDIGATE} directory show CUSCAR D96A RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "0160   SG4   Segment group 4: EQD-TSR-MEA-DIM-SEL-NAD-GIS-SG5 +C  9999")
  message(FATAL_ERROR "directory show CUSCAR D96A: exit ${rc}\n${out}")
endif()
execute_process(COMMAND ${EDIGATE} directory show CUSCAR D99Z RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 2 OR NOT err MATCHES "installed: D01B D16A D21B D95B D96A")
  message(FATAL_ERROR "directory show for a missing version: expected exit 2 naming the installed ones, got ${rc}: ${err}")
endif()

# Partner profiles: an unknown profile and a broken file are usage errors that say where.
get_filename_component(root ${CMAKE_CURRENT_LIST_DIR}/../../.. ABSOLUTE)
execute_process(COMMAND ${EDIGATE} validate --profiles ${root}/samples/profiles.toml --profile NOPE ${root}/samples/paxlst-d96a-crew.edi
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 2 OR NOT err MATCHES "no profile \\[partner.NOPE\\].*LYGHHSA")
  message(FATAL_ERROR "unknown profile: expected exit 2 listing the profiles, got ${rc}: ${err}")
endif()
set(bad "${CMAKE_CURRENT_BINARY_DIR}/bad-profiles.toml")
file(WRITE ${bad} "[partner.X]\nversion = 1\ndowngrade = [\"EDI-D014\"\n")
execute_process(COMMAND ${EDIGATE} validate --profiles ${bad} --profile X ${root}/samples/paxlst-d96a-crew.edi
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 2 OR NOT err MATCHES "bad-profiles.toml:[0-9]+:[0-9]+")
  message(FATAL_ERROR "broken profiles file: expected exit 2 with file:line:column, got ${rc}: ${err}")
endif()
execute_process(COMMAND ${EDIGATE} validate --json --profiles ${root}/samples/profiles.toml --profile LYGHHSA ${root}/samples/paxlst-d96a-crew.edi
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON by ERROR_VARIABLE jerr GET "${out}" files 0 diagnostics 0 downgraded_by)
if(NOT rc EQUAL 0 OR NOT by STREQUAL "LYGHHSA v1")
  message(FATAL_ERROR "profile downgrade: expected exit 0 and downgraded_by 'LYGHHSA v1', got ${rc} '${by}' ${jerr}")
endif()

# XML: told apart from EDIFACT by content (a .edi name does not matter), schema found by root
# element, the same JSON report and exit codes; a bad --schema is a usage error.
set(xml_file "${CMAKE_CURRENT_BINARY_DIR}/cli_declaration.edi")
file(COPY_FILE ${SOURCE}/samples/agency/decmessage.xml ${xml_file})
execute_process(COMMAND ${EDIGATE} validate --json ${xml_file} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(JSON type ERROR_VARIABLE jerr GET "${out}" files 0 type)
string(JSON schema ERROR_VARIABLE jerr2 GET "${out}" files 0 schema)
if(NOT rc EQUAL 0 OR jerr OR jerr2 OR NOT type STREQUAL "xml" OR NOT schema STREQUAL "decmessage")
  message(FATAL_ERROR "XML by content: expected exit 0, type xml, schema decmessage; got ${rc} ${type} ${schema} ${jerr}${jerr2}: ${err}\n${out}")
endif()
execute_process(COMMAND ${EDIGATE} validate --json ${SOURCE}/tests/data/xsd-invalid/decmessage--ieflag-x.xml RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON code ERROR_VARIABLE jerr GET "${out}" files 0 diagnostics 0 code)
string(JSON path ERROR_VARIABLE jerr2 GET "${out}" files 0 diagnostics 0 path)
if(NOT rc EQUAL 1 OR NOT code STREQUAL "EDI-X010" OR NOT path STREQUAL "/DecMessage/DecHead/IEFlag")
  message(FATAL_ERROR "invalid XML: expected exit 1 and EDI-X010 at /DecMessage/DecHead/IEFlag, got ${rc} ${code} ${path}\n${out}")
endif()
execute_process(COMMAND ${EDIGATE} validate --schema no-such-schema ${xml_file} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "neither a file nor an installed schema")
  message(FATAL_ERROR "unknown --schema: expected exit 2, got ${rc}: ${err}")
endif()
execute_process(COMMAND ${EDIGATE} schemas --json RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"name\":\"decmessage\",\"namespace\":\"http://www.chinaport.gov.cn/dec\"")
  message(FATAL_ERROR "schemas --json: expected decmessage with its namespace, got ${rc}:\n${out}")
endif()
file(REMOVE ${xml_file})

# parse on XML: the tree the mapping engine sees, Chinese text from a GB18030 file as UTF-8.
execute_process(COMMAND ${EDIGATE} parse ${SOURCE}/samples/agency/decmessage-gb18030.xml RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(JSON root ERROR_VARIABLE jerr GET "${out}" document name)
string(JSON ns ERROR_VARIABLE jerr2 GET "${out}" document ns)
if(NOT rc EQUAL 0 OR jerr OR jerr2 OR NOT root STREQUAL "DecMessage" OR NOT ns STREQUAL "http://www.chinaport.gov.cn/dec" OR NOT out MATCHES "连云港")
  message(FATAL_ERROR "parse XML: expected exit 0 and the DecMessage tree with UTF-8 text, got ${rc} ${root} ${ns}: ${err}\n${out}")
endif()

# parse --format json writes each message's tree directly: JSON escapes for quote, backslash and
# control characters, U+FFFD for a byte that is not UTF-8 (under UNOY), one valid document.
string(ASCII 1 soh)
string(ASCII 9 tab)
string(ASCII 255 ff)
string(ASCII 239 191 189 replacement)  # U+FFFD in UTF-8
set(ctl "${CMAKE_CURRENT_BINARY_DIR}/cli_json_escapes.edi")
file(WRITE ${ctl} "UNB+UNOY:4+S+R+240101:1200+R1'UNH+1+CUSCAR:D:96A:UN'BGM+85+X1+9'FTX+AAA+++A${tab}B\"C\\D${soh}E${ff}F'UNT+4+1'UNZ+1+R1'")
execute_process(COMMAND ${EDIGATE} parse --format json ${ctl} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
string(JSON kind ERROR_VARIABLE jerr TYPE "${out}")
string(FIND "${out}" "\"A\\tB\\\"C\\\\D\\u0001E${replacement}F\"" at)
if(jerr OR at EQUAL -1)
  message(FATAL_ERROR "parse --format json: expected the FTX text escaped, got ${rc} (${jerr}):\n${out}")
endif()
file(REMOVE ${ctl})

# translate --explain: every value with its source position and rule line; a bad -s is a usage error.
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101 --explain -s customs_code=2305138764521 -s dxp_id=DXP1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Manifest/Declaration/Consignment\\[2\\]/TransportContractDocument/ID = 'LHCL2403170027'"
   OR NOT out MATCHES "Manifest/Head/FunctionCode = '9'\n    from 1225 at 4:21 \\(byte 127\\); rule line [0-9]+: code\\(")
  message(FATAL_ERROR "translate --explain: expected traced values, got ${rc}:\n${out}")
endif()
# translate --json without --out: standard output is the report alone (one JSON document, written
# as the files go), not the outputs; a missing file is one entry of it.
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi ${CMAKE_CURRENT_BINARY_DIR}/no-such-file.edi -m cuscar-mt1101 --json
                        -s customs_code=2305138764521 -s dxp_id=DXP1 -s customs_district=2305 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
string(JSON status ERROR_VARIABLE jerr GET "${out}" files 0 status)
string(JSON mapped ERROR_VARIABLE jerr2 GET "${out}" files 0 outputs 0 status)
string(JSON missing ERROR_VARIABLE jerr3 GET "${out}" files 1 status)
if(NOT rc EQUAL 3 OR jerr OR jerr2 OR jerr3 OR NOT status STREQUAL "translated" OR NOT mapped STREQUAL "written" OR NOT missing STREQUAL "unreadable"
   OR out MATCHES "<Manifest")
  message(FATAL_ERROR "translate --json: expected exit 3 and the report alone, got ${rc} (${jerr}${jerr2}${jerr3}):\n${out}")
endif()
# Commands that transfer nothing never load libcurl (some forty libraries), not even when Xerces-C
# starts for the target schemas and asks for curl_global_init(): the loader defers it.
execute_process(COMMAND ${CMAKE_COMMAND} -E env LD_DEBUG=files ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101
                        -s customs_code=2305138764521 -s dxp_id=DXP1 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err MATCHES "calling init: [^\n]*libxerces|calling init: [^\n]*libstdc" OR err MATCHES "libcurl")
  message(FATAL_ERROR "translate: expected exit 0 without libcurl loaded, got ${rc}:\n${err}")
endif()
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101 -s novalue RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "translate -s without '=': expected exit 2, got ${rc}")
endif()

# diff: control references and layout do not count; a changed value is reported by its path.
file(READ ${SOURCE}/samples/cuscar-d96a-manifest.edi original)
string(REPLACE "LHS2403160001" "LHS2411270042" rerun "${original}")   # another control reference
string(REPLACE "LHS240316001" "LHS241127001" rerun "${rerun}")         # another message reference
string(REPLACE "'\n" "'" rerun "${rerun}")                             # no line breaks
set(diff_a "${CMAKE_CURRENT_BINARY_DIR}/cli_diff_a.edi")
set(diff_b "${CMAKE_CURRENT_BINARY_DIR}/cli_diff_b.edi")
file(WRITE ${diff_a} "${original}")
file(WRITE ${diff_b} "${rerun}")
execute_process(COMMAND ${EDIGATE} diff ${diff_a} ${diff_b} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "same content")
  message(FATAL_ERROR "diff of a re-run with other references and layout: expected exit 0, same content; got ${rc}: ${out}${err}")
endif()
string(REPLACE "+CHANGWON+" "+BUSAN+" changed "${rerun}")
file(WRITE ${diff_b} "${changed}")
execute_process(COMMAND ${EDIGATE} diff --json ${diff_a} ${diff_b} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON path ERROR_VARIABLE jerr GET "${out}" differences 0 path)
string(JSON b ERROR_VARIABLE jerr2 GET "${out}" differences 0 b)
if(NOT rc EQUAL 1 OR jerr OR NOT path STREQUAL "/edifact/Interchange/Message/SG6[1]/SG7/SG10[1]/NAD/3164" OR NOT b STREQUAL "BUSAN")
  message(FATAL_ERROR "diff of a changed city: expected exit 1 and the NAD/3164 path, got ${rc} ${path} ${b}:\n${out}")
endif()
file(REMOVE ${diff_a} ${diff_b})

# translate --to customs: every mapping of the agency's folder; each message goes to the ones that read it.
set(to_out "${CMAKE_CURRENT_BINARY_DIR}/cli_to")
file(REMOVE_RECURSE ${to_out})
file(MAKE_DIRECTORY ${to_out})
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/coarri-d96a-loading.edi --to customs --now 20240316090512345
                        -s customs_code=2305320799001 -s dxp_id=DXPENT0000512907 -s customs_district=2305 -o ${to_out}
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
file(GLOB written RELATIVE ${to_out} ${to_out}/*)
if(NOT rc EQUAL 0 OR NOT written STREQUAL "coarri-d96a-loading.1.coarri-mt4101.xml")
  message(FATAL_ERROR "translate --to customs: expected exit 0 and only the MT4101, got ${rc} [${written}]: ${err}")
endif()
file(REMOVE_RECURSE ${to_out})

# run --once: the batch job on a real spool and SQLite file. Files are taken, translated along the
# partner's route and archived under their state; a link is quarantined unread; the same content
# again is a duplicate; a file still being written waits.
set(gw "${CMAKE_CURRENT_BINARY_DIR}/cli_gateway")
file(REMOVE_RECURSE ${gw})
file(MAKE_DIRECTORY ${gw}/in)
file(WRITE ${gw}/gateway.toml "[gateway]\nwork = \"work\"\nsettle_ms = 0\n[[partner]]\nname = \"LYGHHSA\"\ninbox = \"in\"\nroute = \"manifest\"\nset = { customs_code = \"2305138764521\", dxp_id = \"DXP1\" }\n")
file(COPY_FILE ${SOURCE}/samples/cuscar-d96a-manifest.edi ${gw}/in/manifest.edi)
file(WRITE ${gw}/in/upload.edi.part "half")
file(CREATE_LINK ${SOURCE}/README.md ${gw}/in/link.edi SYMBOLIC)
execute_process(COMMAND ${EDIGATE} run --config ${gw}/gateway.toml --once --json RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(JSON delivered ERROR_VARIABLE jerr GET "${out}" partners 0 delivered)
string(JSON refused ERROR_VARIABLE jerr2 GET "${out}" partners 0 refused)
string(JSON waiting ERROR_VARIABLE jerr3 GET "${out}" partners 0 waiting)
file(GLOB outbound RELATIVE ${gw}/work/outbound/LYGHHSA ${gw}/work/outbound/LYGHHSA/*)
list(LENGTH outbound outputs)
if(NOT rc EQUAL 0 OR jerr OR NOT delivered EQUAL 1 OR NOT refused EQUAL 1 OR NOT waiting EQUAL 1 OR NOT outputs EQUAL 2
   OR NOT IS_SYMLINK ${gw}/work/quarantine/LYGHHSA/link.edi OR NOT EXISTS ${gw}/in/upload.edi.part)
  message(FATAL_ERROR "run --once: expected 1 delivered (2 outputs), 1 refused link, 1 waiting .part; got ${rc} [${outbound}]: ${err}\n${out}")
endif()
file(COPY_FILE ${SOURCE}/samples/cuscar-d96a-manifest.edi ${gw}/in/again.edi)
execute_process(COMMAND ${EDIGATE} run --config ${gw}/gateway.toml --once --json RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON duplicate ERROR_VARIABLE jerr GET "${out}" partners 0 duplicate)
if(NOT rc EQUAL 0 OR NOT duplicate EQUAL 1 OR NOT EXISTS ${gw}/work/archive/LYGHHSA/duplicate)
  message(FATAL_ERROR "run --once, same content again: expected a duplicate, got ${rc}:\n${out}")
endif()
execute_process(COMMAND ${EDIGATE} status --config ${gw}/gateway.toml --json RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON d ERROR_VARIABLE jerr GET "${out}" files delivered)
string(JSON u ERROR_VARIABLE jerr2 GET "${out}" files duplicate)
if(NOT rc EQUAL 0 OR NOT d EQUAL 1 OR NOT u EQUAL 1)
  message(FATAL_ERROR "status: expected 1 delivered and 1 duplicate, got ${rc}:\n${out}")
endif()
# A file left in the claimed folder by a run that was killed is finished by the next run.
file(COPY_FILE ${SOURCE}/samples/cuscar-unoy-chinese.edi ${gw}/work/claimed/LYGHHSA/20261127T000000000000-cut-off.edi)
execute_process(COMMAND ${EDIGATE} run --config ${gw}/gateway.toml --once --json RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON delivered ERROR_VARIABLE jerr GET "${out}" partners 0 delivered)
file(GLOB left ${gw}/work/claimed/LYGHHSA/*)
if(NOT rc EQUAL 0 OR NOT delivered EQUAL 1 OR left OR NOT EXISTS ${gw}/work/archive/LYGHHSA/delivered/20261127T000000000000-cut-off.edi)
  message(FATAL_ERROR "run after a cut-off run: expected the claimed leftover delivered and archived, got ${rc} [${left}]:\n${out}")
endif()
file(WRITE ${gw}/bad.toml "[gateway]\nwork = \"work\"\n[[partner]]\nname = \"../up\"\ninbox = \"in\"\nroute = \"manifest\"\n")
execute_process(COMMAND ${EDIGATE} run --config ${gw}/bad.toml --once RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "bad.toml:4: partner name")
  message(FATAL_ERROR "run with a partner name that is a path: expected exit 2 naming the line, got ${rc}: ${err}")
endif()
file(REMOVE_RECURSE ${gw})

# A message whose directory is not installed cannot be mapped: one clear finding, not a missing
# value per mapping rule.
set(d03b "${CMAKE_CURRENT_BINARY_DIR}/cli_d03b.edi")
file(WRITE ${d03b} "UNB+UNOA:3+S+R+200101:1200+A'UNH+1+PAXLST:D:03B:UN'BGM+250'UNT+3+1'UNZ+1+A'")
execute_process(COMMAND ${EDIGATE} translate ${d03b} -m paxlst-crewlist -s call_sign=X RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "PAXLST D:03B: its directory is not installed, so its segments are not named and no mapping can read it \\[EDI-M005\\]"
   OR err MATCHES "EDI-M002")
  message(FATAL_ERROR "translate of an uninstalled directory: expected exit 1 and one EDI-M005, got ${rc}: ${err}")
endif()
file(REMOVE ${d03b})

# A mapping finding on an XML input: at the document's line (no column is known, none is shown),
# and no "segment" for an XML element.
set(order "${CMAKE_CURRENT_BINARY_DIR}/cli_order_without_number.xml")
file(READ ${SOURCE}/samples/ecommerce-order.xml text)
string(REPLACE "<OrderNo>HG240316047318</OrderNo>" "" text "${text}")
file(WRITE ${order} "${text}")
execute_process(COMMAND ${EDIGATE} translate ${order} -m order-ceb311 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "cli_order_without_number.xml:4: CEB311Message: required variable \\$order_no \\(trim\\(OrderNo\\)\\) has no value in PlatformOrder at line 4"
   OR err MATCHES ":4:0:" OR err MATCHES "segment PlatformOrder")
  message(FATAL_ERROR "translate of an XML order without its number: expected exit 1 and the finding at line 4, got ${rc}: ${err}")
endif()
file(REMOVE ${order})

# translate --out: a missing folder is made (with the folders above it), a file is refused as a
# usage error before anything is read.
set(od "${CMAKE_CURRENT_BINARY_DIR}/cli_out")
file(REMOVE_RECURSE ${od})
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101 -o ${od}/day/batch
                        --now 20240316090512345 -s customs_code=2305138764521 -s dxp_id=DXP1
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
file(GLOB written ${od}/day/batch/*.xml)
list(LENGTH written count)
if(NOT rc EQUAL 0 OR NOT count EQUAL 1)
  message(FATAL_ERROR "translate --out into a missing folder: expected exit 0 and one output there, got ${rc} [${written}]: ${err}")
endif()
file(WRITE ${od}/file.txt "x")
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101 -o ${od}/file.txt
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "is not a directory")
  message(FATAL_ERROR "translate --out on a file: expected exit 2 and 'is not a directory', got ${rc}: ${err}")
endif()
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101 -o ${od}/file.txt/sub
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "cannot create the folder")
  message(FATAL_ERROR "translate --out below a file: expected exit 2 and 'cannot create the folder', got ${rc}: ${err}")
endif()
file(REMOVE_RECURSE ${od})

# translate --max-message-mb: a message over the bound is checked for syntax only (EDI-M007), with
# nothing produced from it; the bound is at least 1 MB.
set(big "${CMAKE_CURRENT_BINARY_DIR}/cli_big.edi")
execute_process(COMMAND python3 ${SOURCE}/tests/bench/scale_message.py ${SOURCE}/samples/cuscar-d96a-manifest.edi 1600 ${big} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tests/bench/scale_message.py: exit ${rc}")
endif()
execute_process(COMMAND ${EDIGATE} translate ${big} -m cuscar-mt1101 --max-message-mb 1 --now 20240316090512345 -s customs_code=2305138764521 -s dxp_id=DXP1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "message 1 \\('LHS240316001'\\) is 1\\.2 MiB \\([0-9]+ bytes\\), over the 1 MiB a message may have to be translated \\(--max-message-mb; max_message_mb in a gateway's configuration\\); it was checked for syntax only \\[EDI-M007\\]" OR out MATCHES "Manifest")
  message(FATAL_ERROR "translate --max-message-mb 1 of a 1.2 MB message: expected exit 1, EDI-M007 and no output, got ${rc}: ${err}")
endif()
execute_process(COMMAND ${EDIGATE} translate ${big} -m cuscar-mt1101 --now 20240316090512345 -s customs_code=2305138764521 -s dxp_id=DXP1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
string(REGEX MATCHALL "<Consignment>" bills "${out}")
list(LENGTH bills count)
if(NOT rc EQUAL 0 OR NOT count EQUAL 1600)
  message(FATAL_ERROR "translate of a 1.2 MB message under the default bound: expected exit 0 and 1600 consignments, got ${rc}, ${count}")
endif()
execute_process(COMMAND ${EDIGATE} translate ${big} -m cuscar-mt1101 --max-message-mb 0 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "translate --max-message-mb 0: expected exit 2, got ${rc}")
endif()
file(REMOVE ${big})

# Fixed-width targets: a value longer than its field is a finding and nothing is written (never
# cut); widths are checked at load (a field without one, a width outside a fixed target).
set(fx "${CMAKE_CURRENT_BINARY_DIR}/cli_fixed")
file(REMOVE_RECURSE ${fx})
file(MAKE_DIRECTORY ${fx}/out)
set(head "<?xml version=\"1.0\"?>\n<mapping xmlns=\"urn:edigate:mapping:1\" version=\"1\" name=\"fx\" source=\"CUSCAR\" target=\"fixed\">\n<output root=\"f\">\n")
file(WRITE ${fx}/narrow.map.xml "${head}<element name=\"R\"><element name=\"vessel\" value=\"/SG3/TDT/C222/8212\" width=\"10\"/></element>\n</output></mapping>\n")
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m ${fx}/narrow.map.xml -o ${fx}/out
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
file(GLOB written ${fx}/out/*)
if(NOT rc EQUAL 1 OR NOT err MATCHES "record 1 \\(R\\), field vessel: 'LIANHAI HAIZHOU' takes 15 bytes in UTF-8, the field holds 10 \\[EDI-M004\\]" OR written)
  message(FATAL_ERROR "fixed-width overflow: expected exit 1, EDI-M004 naming record and field, nothing written; got ${rc} [${written}]: ${err}")
endif()
file(WRITE ${fx}/nowidth.map.xml "${head}<element name=\"R\">\n<element name=\"vessel\" value=\"/SG3/TDT/C222/8212\"/></element>\n</output></mapping>\n")
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m ${fx}/nowidth.map.xml RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "nowidth.map.xml:5: field vessel needs a width")
  message(FATAL_ERROR "fixed-width field without a width: expected exit 2 with the line, got ${rc}: ${err}")
endif()
string(REPLACE "target=\"fixed\"" "target=\"csv\"" csvhead "${head}")
file(WRITE ${fx}/csvwidth.map.xml "${csvhead}<element name=\"R\">\n<element name=\"vessel\" value=\"'x'\" width=\"3\"/></element>\n</output></mapping>\n")
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m ${fx}/csvwidth.map.xml RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "csvwidth.map.xml:5: element vessel has a width")
  message(FATAL_ERROR "a width outside a fixed target: expected exit 2 with the line, got ${rc}: ${err}")
endif()
file(REMOVE_RECURSE ${fx})

# EDIFACT outputs take the partner's envelope from its profile: identities, qualifiers, charset,
# separators and UNA, one line; variables given for the run win; a mistyped setting is refused.
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/agency/decmessage-decimportresponse.xml -m decimportresponse-aperak
                        --now 20240316090512345 --profiles ${SOURCE}/samples/profiles.toml --profile LEGACY-FWD
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^UNA:\\+\\.  ~UNB\\+UNOA:3\\+CNLYGEPORT\\+LEGACYFWD\\+240316:0905\\+240316090512~UNH\\+1\\+APERAK:D:96A:UN~.*~UNZ\\+1\\+240316090512~$")
  message(FATAL_ERROR "translate with the LEGACY-FWD envelope: expected its UNA, parties and one line, got ${rc}: ${err}\n${out}")
endif()
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/agency/customs-manifest-response.xml -m manifest-response-aperak
                        --now 20240316090512345 --profiles ${SOURCE}/samples/profiles.toml --profile LYGHHSA -s edi_recipient=OTHER
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^UNB\\+UNOW:4\\+CNLYGEPORT:ZZZ\\+OTHER:ZZZ\\+20240316:0905")
  message(FATAL_ERROR "translate with the LYGHHSA envelope and -s edi_recipient: expected UNOW, qualifiers and the -s recipient, got ${rc}: ${err}\n${out}")
endif()
set(badprof "${CMAKE_CURRENT_BINARY_DIR}/cli_badprofile.toml")
file(WRITE ${badprof} "[partner.X]\nversion = 1\n[partner.X.envelope]\nsender = \"A\"\n")
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/agency/customs-manifest-response.xml -m manifest-response-aperak
                        --profiles ${badprof} --profile X RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "\\[partner.X.envelope\\] sender: not a setting")
  message(FATAL_ERROR "a profile envelope with an unknown key: expected exit 2 naming it, got ${rc}: ${err}")
endif()
file(REMOVE ${badprof})

# Lookups across messages keep an interchange in memory only up to a bound: past it, one EDI-M006
# and none of its messages translated (a mapping without '//' streams as before, whatever the bound).
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-unoy-chinese.edi -m cuscar-manifest-fixed --lookup-limit-mb 0
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "interchange HHS24032000015: its messages pass 0 MiB.*\\[EDI-M006\\]" OR out)
  message(FATAL_ERROR "an interchange past the lookup limit: expected exit 1, EDI-M006 and no output, got ${rc}: ${err}\n${out}")
endif()

# A required value missing because a partner value was not given says which, and how to give it.
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101 -s customs_code=2305138764521
                        -s customs_district=2305 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "of its variables, \\$dxp_id is not set \\(-s dxp_id=\\.\\.\\.\\) \\(rule at cuscar-mt1101.map.xml:[0-9]+\\) \\[EDI-M002\\]")
  message(FATAL_ERROR "translate without -s dxp_id: expected EDI-M002 naming the variable, got ${rc}: ${err}")
endif()
