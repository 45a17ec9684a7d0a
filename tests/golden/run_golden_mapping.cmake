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
file(GLOB expected RELATIVE ${SOURCE}/tests/golden/mapping ${SOURCE}/tests/golden/mapping/*.xml)
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
