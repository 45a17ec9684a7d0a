# run_golden_mapping.cmake - `edigate translate` on the CUSCAR samples with the F1 mapping
# (mappings/customs/cuscar-mt1101.map.xml) must write exactly the reviewed files in
# tests/golden/mapping/, each already checked by translate against xsd/customs-manifest-mt1101.xsd.
# Run with -DEDIGATE=... -DSOURCE=<repo> -DWORK=<scratch dir>. After a deliberate change, run the
# same translate command with -o tests/golden/mapping and review the diff.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(partner -s customs_code=2305138764521 -s dxp_id=DXPENT0000458762 -s customs_district=2305)
execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/cuscar-d96a-manifest.edi ${SOURCE}/samples/cuscar-unoy-chinese.edi
                        -m cuscar-mt1101 --now 20240316090512345 ${partner} -o ${WORK} --json
                RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "translate exited ${rc}: ${err}\n${report}")
endif()
file(GLOB expected RELATIVE ${SOURCE}/tests/golden/mapping ${SOURCE}/tests/golden/mapping/cuscar-*.xml)
file(GLOB produced RELATIVE ${WORK} ${WORK}/*)
list(SORT expected)
list(SORT produced)
if(NOT expected STREQUAL produced)
  message(FATAL_ERROR "translate wrote [${produced}], expected [${expected}] (no temporary file may be left)")
endif()
foreach(name ${expected})
  file(READ ${SOURCE}/tests/golden/mapping/${name} want)
  file(READ ${WORK}/${name} got)
  if(NOT want STREQUAL got)
    message(FATAL_ERROR "${name} differs from tests/golden/mapping/${name}; diff ${WORK}/${name} against it")
  endif()
endforeach()
string(JSON status GET "${report}" files 1 outputs 1 status)
if(NOT status STREQUAL "written")
  message(FATAL_ERROR "JSON report: expected the second UNOY message written, got ${status}\n${report}")
endif()

# ---------------------------------------------------------------------------------------------
# Flows F3 and F4 (branch flows-f3f4): CODECO gate-in -> MT3101, COARRI loading report -> MT4101,
# COARRI discharge report -> MT5101; goldens tests/golden/mapping/codeco-*.xml and coarri-*.xml.
# The mapping files are given by path so that the tree under test is the one run (a bare name
# is looked up through EDIGATE_MAPPINGS and the binary's data folders, which may be another
# checkout). To regenerate after a deliberate change: the same translate commands with
# -o tests/golden/mapping, then review the diff.
set(f3f4_work ${WORK}/f3f4)
file(MAKE_DIRECTORY ${f3f4_work})
set(f3f4_terminal -s customs_code=2305320799001 -s dxp_id=DXPENT0000512907 -s customs_district=2305)
set(f3f4_tally -s customs_code=2305320798114 -s dxp_id=DXPENT0000513388 -s customs_district=2305)
function(f3f4_translate sample map partner out expect_rc)
  execute_process(COMMAND ${EDIGATE} translate ${SOURCE}/samples/${sample}.edi
                          -m ${SOURCE}/mappings/customs/${map}.map.xml --now 20240316090512345 ${${partner}} -o ${out}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "translate ${sample} -m ${map} exited ${rc}, expected ${expect_rc}: ${err}\n${report}")
  endif()
endfunction()
f3f4_translate(codeco-d96a-gate-in codeco-mt3101 f3f4_terminal ${f3f4_work} 0)
f3f4_translate(coarri-d96a-loading coarri-mt4101 f3f4_terminal ${f3f4_work} 0)
f3f4_translate(coarri-d96a-discharge coarri-mt5101 f3f4_tally ${f3f4_work} 0)
file(GLOB f3f4_expected RELATIVE ${SOURCE}/tests/golden/mapping
     ${SOURCE}/tests/golden/mapping/codeco-*.xml ${SOURCE}/tests/golden/mapping/coarri-*.xml)
file(GLOB f3f4_produced RELATIVE ${f3f4_work} ${f3f4_work}/*)
list(SORT f3f4_expected)
list(SORT f3f4_produced)
if(NOT f3f4_expected STREQUAL f3f4_produced)
  message(FATAL_ERROR "F3/F4: translate wrote [${f3f4_produced}], expected [${f3f4_expected}]")
endif()
foreach(name ${f3f4_expected})
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${SOURCE}/tests/golden/mapping/${name} ${f3f4_work}/${name}
                  RESULT_VARIABLE differs)
  if(differs)
    message(FATAL_ERROR "${name} differs from tests/golden/mapping/${name}; diff ${f3f4_work}/${name} against it")
  endif()
endforeach()
# A discharge report is no loading manifest: through coarri-mt4101 it has no cargo-loaded
# weight (MEA+AAL), so translate must refuse it (exit 1) and write nothing.
set(f3f4_refused ${WORK}/f3f4-refused)
file(MAKE_DIRECTORY ${f3f4_refused})
f3f4_translate(coarri-d96a-discharge coarri-mt4101 f3f4_terminal ${f3f4_refused} 1)
file(GLOB f3f4_left ${f3f4_refused}/*)
if(f3f4_left)
  message(FATAL_ERROR "F3/F4: the refused discharge report left [${f3f4_left}]")
endif()
