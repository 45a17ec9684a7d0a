# cli_test.cmake - every command answers --help with exit 0, bad usage gives exit 2,
# a missing file exit 3. Run with -DEDIGATE=path/to/edigate.
foreach(cmd "" validate parse codes ack directory "directory|show" "directory|list" schemas translate diff)
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

# translate --explain: every value with its source position and rule line; a bad -s is a usage error.
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi -m cuscar-mt1101 --explain -s customs_code=2305138764521 -s dxp_id=DXP1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Manifest/Declaration/Consignment\\[2\\]/TransportContractDocument/ID = 'LHCL2403170027'"
   OR NOT out MATCHES "Manifest/Head/FunctionCode = '9'\n    from 1225 at 4:21 \\(byte 127\\); rule line [0-9]+: code\\(")
  message(FATAL_ERROR "translate --explain: expected traced values, got ${rc}:\n${out}")
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
